import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { fileURLToPath } from "node:url";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runIngest } from "../cli/ingest-command.js";
import { createOllamaEmbedder } from "../embed/index.js";
import { type IngestProgress, type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import { createParsePool, type ParsePool } from "../parse-worker/parse-pool.js";
import { makePdf, ocrFixtureText, renderTextImage } from "./test-support.js";

/** The compiled parse worker (`npx tsc -b` first, as for every test). */
const parseWorker = fileURLToPath(new URL("../../dist/parse-worker/parse-worker.js", import.meta.url));

/** A scanned A4 page at 300 dpi: tilted, speckled, grey paper, JPEG as scanners write. */
const scanOf = (text: string, seed: number) =>
  renderTextImage({
    text,
    width: 2480,
    fontSize: 42,
    margin: 240,
    minHeight: 3508,
    format: "jpeg",
    scan: { rotationDegrees: 0.8, noise: 0.005, seed },
  });

describe("OCR in a knowledge base (real LanceDB, stand-in embeddings, real Tesseract)", () => {
  let standIn: StandInOllama;
  let dataDir: string;
  let pool: ParsePool;
  let knowledgeBase: KnowledgeBase;

  beforeEach(async () => {
    standIn = await startStandInOllama({ embeddingDimension: 64 });
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-ocr-kb-"));
    // Parsed in a parse worker, as the server does, so the OCR progress crosses the thread as it does there.
    pool = createParsePool({ workerPath: parseWorker });
    knowledgeBase = await openKnowledgeBase({
      dataDir,
      embedder: createOllamaEmbedder({ host: standIn.url, model: "bge-m3" }),
      prepare: pool.prepare,
      ocr: { languages: "chi_sim+eng" },
    });
  });

  afterEach(async () => {
    await knowledgeBase.close();
    await pool.close();
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("finds a scanned Chinese page (page 2 of an image-only PDF) and a screenshot by hybrid search, with their page numbers", async () => {
    const scannedPdf = makePdf([
      { jpeg: await scanOf(ocrFixtureText("en-primer.txt").split("\n\n")[1]!, 1) },
      { jpeg: await scanOf(ocrFixtureText("zh-gc.txt"), 2) },
    ]);
    const screenshot = await renderTextImage({
      text: ocrFixtureText("en-primer.txt"),
      width: 1280,
      fontSize: 18,
    });

    const progress: Record<string, IngestProgress[]> = { "scans/gc.pdf": [], "screens/cdn.png": [] };
    for (const [name, bytes] of [
      ["scans/gc.pdf", scannedPdf],
      ["screens/cdn.png", screenshot],
    ] as const) {
      const outcome = await knowledgeBase.ingest({
        workspace: "team",
        name,
        bytes,
        onProgress: (event) => progress[name]!.push(event),
      });
      expect(outcome.status).toBe("ingested");
      expect(outcome.ocr?.pages).toEqual(name.endsWith(".pdf") ? [1, 2] : [1]);
      expect(outcome.ocr?.confidence).toBeGreaterThan(80);
    }
    const ocrEvents = (name: string) => progress[name]!.filter((event) => event.stage === "ocr");
    expect(ocrEvents("scans/gc.pdf")).toEqual([
      { stage: "ocr", page: 1, pages: 2 },
      { stage: "ocr", page: 2, pages: 2 },
    ]);
    expect(ocrEvents("screens/cdn.png")).toEqual([{ stage: "ocr", page: 1, pages: 1 }]);
    // OCR comes after parsing starts and before chunking.
    expect(progress["scans/gc.pdf"]!.map((event) => event.stage).slice(0, 4)).toEqual([
      "parsing",
      "ocr",
      "ocr",
      "chunking",
    ]);

    const documents = knowledgeBase.listDocuments("team");
    expect(documents.map((document) => [document.name, document.type, document.pages])).toEqual([
      ["scans/gc.pdf", "pdf", 2],
      ["screens/cdn.png", "image", 1],
    ]);

    const scanned = await knowledgeBase.search({
      workspace: "team",
      query: "引用计数算法 循环引用",
      mode: "hybrid",
    });
    expect(scanned.results[0]).toMatchObject({ documentName: "scans/gc.pdf", page: 2 });
    expect(scanned.results[0]!.text).toContain("引用计数");

    const english = await knowledgeBase.search({
      workspace: "team",
      query: "authoritative DNS servers",
      mode: "hybrid",
    });
    expect(english.results.map((result) => [result.documentName, result.page])).toContainEqual([
      "scans/gc.pdf",
      1,
    ]);

    const screen = await knowledgeBase.search({
      workspace: "team",
      query: "content delivery network proxy servers",
      mode: "hybrid",
    });
    expect(screen.results[0]).toMatchObject({ documentName: "screens/cdn.png", page: 1 });
  });

  it("zhiku ingest says what OCR read and doubted for each image, beside the usual line", async () => {
    const folder = join(dataDir, "inbox");
    await mkdir(folder);
    await writeFile(
      join(folder, "cdn.png"),
      await renderTextImage({ text: ocrFixtureText("en-primer.txt"), width: 1280, fontSize: 18 }),
    );
    let printed = "";
    const output = new Writable({
      write(chunk, _encoding, done) {
        printed += String(chunk);
        done();
      },
    });
    const summary = await runIngest({
      knowledgeBase,
      workspace: "team",
      paths: [folder],
      maxBytes: 50 * 1024 * 1024,
      output,
    });
    expect(summary).toEqual({ ingested: 1, skipped: 0, failed: [] });
    expect(printed).toMatch(
      /ingested cdn\.png \(\d+ chunks\)\n {2}OCR page 1: confidence \d+(\.\d)?, \d+ low-confidence words?/,
    );
  });
});
