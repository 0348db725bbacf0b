/**
 * Makes OCR test inputs at run time from the fixture texts in `fixtures/ocr/` (see its README for their sources and
 * licences): text rendered to a clean "screenshot" or a tilted, speckled "scan", and image-only PDFs. Used by the
 * OCR tests and by bench/ocr. Needs a CJK font: Debian's `fonts-wqy-microhei` by default, or `FIXTURE_CJK_FONT`.
 */
import { readFileSync } from "node:fs";
import { createCanvas, GlobalFonts, type SKRSContext2D } from "@napi-rs/canvas";
import { isCjk } from "../parse/cjk.js";
import { readImageSize } from "./image-size.js";

const fontPath = process.env.FIXTURE_CJK_FONT ?? "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";
const fontFamily = "ZhikuFixtureCjk";
let fontRegistered = false;

/** A fixture text of `fixtures/ocr/` (`zh-gc.txt`, `en-primer.txt`). */
export function ocrFixtureText(name: string): string {
  return readFileSync(new URL(`../../fixtures/ocr/${name}`, import.meta.url), "utf8").trim();
}

/** What makes a rendered page look scanned. */
export interface ScanEffects {
  /** Rotation of the page in degrees (a sheet fed in crooked). */
  rotationDegrees: number;
  /** Share of pixels turned to random grey specks, 0 to 1. */
  noise: number;
  /** Seed of the specks, so a fixture is the same on every run. */
  seed: number;
}

/** Options of {@link renderTextImage}. */
export interface RenderTextOptions {
  /** Paragraphs separated by blank lines. */
  text: string;
  /** Image width in pixels. */
  width: number;
  /** Font size in pixels. */
  fontSize: number;
  /** Margin on every side, in pixels. Default twice the font size. */
  margin?: number;
  /** Least image height in pixels (a whole page: 3508 for A4 at 300 dpi); the text's height when undefined. */
  minHeight?: number;
  /** Scanned look; a clean screenshot when undefined. */
  scan?: ScanEffects;
  /** Encoding. Default PNG. */
  format?: "png" | "jpeg" | "webp";
}

/** Splits a paragraph into pieces that may not be broken: single CJK characters, Latin words with their space. */
function breakable(paragraph: string): string[] {
  const pieces: string[] = [];
  let word = "";
  for (const character of paragraph) {
    if (isCjk(character)) {
      if (word) pieces.push(word);
      word = "";
      pieces.push(character);
    } else if (character === " ") {
      pieces.push(`${word} `);
      word = "";
    } else word += character;
  }
  if (word) pieces.push(word);
  return pieces;
}

function wrap(context: SKRSContext2D, paragraph: string, width: number): string[] {
  const lines: string[] = [];
  let line = "";
  for (const piece of breakable(paragraph)) {
    if (line && context.measureText((line + piece).trimEnd()).width > width) {
      lines.push(line.trimEnd());
      line = piece.trimStart();
    } else line += piece;
  }
  if (line.trim()) lines.push(line.trimEnd());
  return lines;
}

/** A small deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** Renders text to an image: black on white, wrapped to the width, paragraphs apart by half a line. */
export async function renderTextImage(options: RenderTextOptions): Promise<Uint8Array> {
  if (!fontRegistered) {
    GlobalFonts.registerFromPath(fontPath, fontFamily);
    fontRegistered = true;
  }
  const margin = options.margin ?? options.fontSize * 2;
  const lineHeight = Math.round(options.fontSize * 1.6);
  const measure = createCanvas(options.width, 10).getContext("2d");
  measure.font = `${options.fontSize}px ${fontFamily}`;
  const paragraphs = options.text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.replace(/\s*\n\s*/g, " ").trim());
  const laidOut = paragraphs.map((paragraph) => wrap(measure, paragraph, options.width - 2 * margin));
  const lineCount = laidOut.reduce((sum, lines) => sum + lines.length, 0);
  const height = Math.max(
    options.minHeight ?? 0,
    Math.ceil(2 * margin + lineCount * lineHeight + (laidOut.length - 1) * lineHeight * 0.5),
  );

  const canvas = createCanvas(options.width, height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, options.width, height);
  if (options.scan) {
    context.translate(options.width / 2, height / 2);
    context.rotate((options.scan.rotationDegrees * Math.PI) / 180);
    context.translate(-options.width / 2, -height / 2);
  }
  context.fillStyle = options.scan ? "#202020" : "#000000";
  context.font = `${options.fontSize}px ${fontFamily}`;
  context.textBaseline = "top";
  let y = margin;
  for (const lines of laidOut) {
    for (const line of lines) {
      context.fillText(line, margin, y);
      y += lineHeight;
    }
    y += lineHeight * 0.5;
  }
  if (options.scan) {
    context.setTransform(1, 0, 0, 1, 0, 0);
    const next = random(options.scan.seed);
    const pixels = context.getImageData(0, 0, options.width, height);
    for (let index = 0; index < pixels.data.length; index += 4) {
      // Paper tint everywhere, specks here and there.
      let value = (pixels.data[index] ?? 255) * 0.92 + 10;
      if (next() < options.scan.noise) value = next() * 255;
      pixels.data[index] = value;
      pixels.data[index + 1] = value;
      pixels.data[index + 2] = value;
    }
    context.putImageData(pixels, 0, 0);
  }
  const format = options.format ?? "png";
  if (format === "jpeg") return new Uint8Array(await canvas.encode("jpeg", 80));
  if (format === "webp") return new Uint8Array(await canvas.encode("webp", 90));
  return new Uint8Array(await canvas.encode("png"));
}

/** One page of {@link makePdf}: a full-page JPEG (a scan, no text layer) or lines of text drawn as text. */
export type PdfPage = { jpeg: Uint8Array } | { text: string };

/**
 * Makes a PDF by hand (a few objects, no library), pages 595 pt (A4) wide: a JPEG page is as high as the image's
 * proportions make it, the image over the whole page (`DCTDecode`, as scanners write) and no text layer; a text
 * page is A4 with its lines in Helvetica (Latin only).
 */
export function makePdf(pages: readonly PdfPage[]): Uint8Array {
  const pageWidth = 595;
  const objects: Buffer[] = [];
  const add = (body: Buffer | string) => {
    objects.push(typeof body === "string" ? Buffer.from(body, "latin1") : body);
    return objects.length;
  };
  const stream = (dictionary: string, data: Buffer) =>
    Buffer.concat([
      Buffer.from(`<< ${dictionary} /Length ${data.length} >>\nstream\n`, "latin1"),
      data,
      Buffer.from("\nendstream", "latin1"),
    ]);
  // Objects 1 (catalog), 2 (page tree) and 3 (font) first; pages after.
  add("<< /Type /Catalog /Pages 2 0 R >>");
  add("");
  add("<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>");
  const pageIds: number[] = [];
  for (const page of pages) {
    let resources: string;
    let content: string;
    let pageHeight = 842;
    if ("jpeg" in page) {
      const size = readImageSize(page.jpeg);
      if (size?.format !== "jpeg") throw new Error("makePdf: an image page must be a JPEG");
      pageHeight = Math.round((pageWidth * size.height) / size.width);
      const image = add(
        stream(
          `/Type /XObject /Subtype /Image /Width ${size.width} /Height ${size.height} /ColorSpace /DeviceRGB /BitsPerComponent 8 /Filter /DCTDecode`,
          Buffer.from(page.jpeg),
        ),
      );
      resources = `<< /XObject << /Scan ${image} 0 R >> >>`;
      content = `q ${pageWidth} 0 0 ${pageHeight} 0 0 cm /Scan Do Q`;
    } else {
      resources = "<< /Font << /F1 3 0 R >> >>";
      const escaped = page.text
        .split("\n")
        .map((line) => line.replace(/[\\()]/g, (character) => `\\${character}`));
      content = `BT /F1 12 Tf 56 ${pageHeight - 72} Td 16 TL ${escaped.map((line) => `(${line}) '`).join(" ")} ET`;
    }
    const contents = add(stream("", Buffer.from(content, "latin1")));
    pageIds.push(
      add(
        `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${pageWidth} ${pageHeight}] /Resources ${resources} /Contents ${contents} 0 R >>`,
      ),
    );
  }
  objects[1] = Buffer.from(
    `<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(" ")}] /Count ${pageIds.length} >>`,
    "latin1",
  );
  const parts: Buffer[] = [Buffer.from("%PDF-1.4\n", "latin1")];
  const offsets: number[] = [];
  let length = parts[0]!.length;
  objects.forEach((body, index) => {
    offsets.push(length);
    const part = Buffer.concat([
      Buffer.from(`${index + 1} 0 obj\n`, "latin1"),
      body,
      Buffer.from("\nendobj\n", "latin1"),
    ]);
    parts.push(part);
    length += part.length;
  });
  const xref = [
    "xref",
    `0 ${objects.length + 1}`,
    "0000000000 65535 f ",
    ...offsets.map((offset) => `${String(offset).padStart(10, "0")} 00000 n `),
    "trailer",
    `<< /Size ${objects.length + 1} /Root 1 0 R >>`,
    "startxref",
    String(length),
    "%%EOF",
  ].join("\n");
  parts.push(Buffer.from(`${xref}\n`, "latin1"));
  return new Uint8Array(Buffer.concat(parts));
}

/**
 * Character error rate of `recognised` against `truth`: edit distance over Unicode characters divided by the
 * truth's length, after whitespace is made uniform (runs of whitespace become one space, and no space is kept
 * next to a CJK character, where its presence is a matter of layout, not of text).
 */
export function characterErrorRate(truth: string, recognised: string): number {
  const normalise = (text: string) => [
    ...text
      .replace(/\s+/g, " ")
      .trim()
      .replace(/ (?=[\u2e80-\u9fff\uff00-\uffef])|(?<=[\u2e80-\u9fff\uff00-\uffef]) /gu, ""),
  ];
  const expected = normalise(truth);
  const actual = normalise(recognised);
  let previous = Array.from({ length: actual.length + 1 }, (_, index) => index);
  for (let row = 1; row <= expected.length; row += 1) {
    const current = [row];
    for (let column = 1; column <= actual.length; column += 1) {
      const substitution = (previous[column - 1] ?? 0) + (expected[row - 1] === actual[column - 1] ? 0 : 1);
      current.push(Math.min(substitution, (previous[column] ?? 0) + 1, (current[column - 1] ?? 0) + 1));
    }
    previous = current;
  }
  return expected.length === 0 ? 0 : (previous[actual.length] ?? 0) / expected.length;
}
