import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";
import { ZhikuError } from "../errors.js";
import { buildOcrReport } from "../ocr/ocr-report.js";
import type { OcrPage } from "../ocr/ocr-types.js";
import type { ParsedDocument, Section } from "../types.js";
import { isCjk } from "./cjk.js";
import type { DocumentInput } from "./detect-type.js";
import type { ParseContext } from "./parse-options.js";
import { renderPdfPage } from "./render-pdf-page.js";

/** The installed pdfjs-dist package, whose data folders pdf.js reads in Node by path. */
const pdfjsFolder = dirname(createRequire(import.meta.url).resolve("pdfjs-dist/package.json"));
/** pdf.js's WebAssembly decoders (JBIG2, JPEG 2000: the image codecs of scans). */
const pdfjsWasmFolder = `${join(pdfjsFolder, "wasm")}/`;
/**
 * The predefined CMaps: Chinese PDFs from office software often set text in a font they do not embed (STSong-Light in
 * the UniGB-UCS2-H encoding), whose character codes pdf.js can map to text only with them.
 */
const pdfjsCMapFolder = `${join(pdfjsFolder, "cmaps")}/`;
/** The standard fonts' metrics, for text in the 14 base fonts a PDF may use without embedding them. */
const pdfjsStandardFontFolder = `${join(pdfjsFolder, "standard_fonts")}/`;

/** A positioned run of text on a page, as pdf.js reports it. */
interface PositionedText {
  text: string;
  x: number;
  y: number;
  width: number;
  size: number;
}

interface Line {
  text: string;
  y: number;
  size: number;
  startX: number;
  endX: number;
}

/** Groups text runs into lines by baseline, inserting a space only where there is a visible gap between non-CJK runs. */
function toLines(runs: PositionedText[]): Line[] {
  const lines: Line[] = [];
  let current: Line | undefined;
  for (const run of runs) {
    if (
      current &&
      Math.abs(run.y - current.y) <= Math.max(run.size, current.size) * 0.5 &&
      run.x >= current.endX - run.size
    ) {
      const gap = run.x - current.endX;
      const needsSpace =
        gap > run.size * 0.15 &&
        !/\s$/.test(current.text) &&
        !/^\s/.test(run.text) &&
        !(isCjk(current.text.at(-1)) && isCjk(run.text[0]));
      current.text += (needsSpace ? " " : "") + run.text;
      current.endX = Math.max(current.endX, run.x + run.width);
      current.size = Math.max(current.size, run.size);
    } else {
      current = { text: run.text, y: run.y, size: run.size, startX: run.x, endX: run.x + run.width };
      lines.push(current);
    }
  }
  return lines.filter((line) => line.text.trim().length > 0);
}

/**
 * Joins lines into page text. A vertical gap larger than about one and a half lines, or a jump
 * upwards (a new column), starts a new paragraph (blank line). Within a paragraph a line that
 * wrapped in the middle of CJK text joins the next without a break, so words are not split;
 * other lines keep their line break.
 */
function joinLines(lines: Line[]): string {
  const widest = Math.max(0, ...lines.map((line) => line.endX - line.startX));
  let text = "";
  let previous: Line | undefined;
  for (const line of lines) {
    const content = line.text.replace(/\s+$/, "");
    if (previous) {
      const drop = previous.y - line.y;
      const lineHeight = Math.max(previous.size, line.size);
      if (drop <= 0 || drop > lineHeight * 1.6) text += "\n\n";
      else if (
        isCjk(previous.text.trimEnd().at(-1)) &&
        isCjk(content.trimStart()[0]) &&
        previous.endX - previous.startX >= widest * 0.85
      ) {
        text += "";
      } else text += "\n";
    }
    text += previous ? content : content.trimStart();
    previous = line;
  }
  return text.trim();
}

function errorName(error: unknown): string {
  return error && typeof error === "object" && "name" in error ? String(error.name) : "";
}

/**
 * Parses a PDF with pdf.js (legacy build, no worker thread, no font loading): one section per
 * page with its 1-based page number, pages separated by a blank line. A page without a text layer (a scan) is
 * rendered at 300 dpi and read by OCR (`context.ocr`), reporting `{ stage: "ocr", page, pages }` first; the
 * document then carries an `ocr` report. Password-protected files fail with `invalid:encrypted`, unreadable ones
 * with `invalid:corrupt`, PDFs in which neither the text layer nor OCR finds text with `invalid:empty`.
 */
export async function parsePdf(input: DocumentInput, context: ParseContext): Promise<ParsedDocument> {
  // pdf.js may transfer (detach) the buffer it is given, so it gets a copy.
  const task = getDocument({
    data: new Uint8Array(input.bytes),
    isEvalSupported: false,
    disableFontFace: true,
    useSystemFonts: false,
    useWorkerFetch: false,
    stopAtErrors: false,
    verbosity: 0,
    wasmUrl: pdfjsWasmFolder,
    cMapUrl: pdfjsCMapFolder,
    cMapPacked: true,
    standardFontDataUrl: pdfjsStandardFontFolder,
  });
  try {
    let document: Awaited<typeof task.promise>;
    try {
      document = await task.promise;
    } catch (error) {
      if (errorName(error) === "PasswordException") {
        throw new ZhikuError(
          "invalid:encrypted",
          `"${input.name}" is password-protected; remove the password and upload it again.`,
          {
            cause: error,
          },
        );
      }
      throw new ZhikuError(
        "invalid:corrupt",
        `"${input.name}" is not a readable PDF: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    const pageTexts: string[] = [];
    const recognised: { page: number; result: OcrPage }[] = [];
    for (let pageNumber = 1; pageNumber <= document.numPages; pageNumber += 1) {
      let page: Awaited<ReturnType<typeof document.getPage>>;
      let pageText: string;
      try {
        page = await document.getPage(pageNumber);
        const content = await page.getTextContent();
        const runs: PositionedText[] = [];
        for (const item of content.items) {
          if (!("str" in item) || item.str.length === 0) continue;
          const [, , c = 0, d = 0, x = 0, y = 0] = item.transform as number[];
          runs.push({ text: item.str, x, y, width: item.width, size: item.height || Math.hypot(c, d) || 1 });
        }
        pageText = joinLines(toLines(runs));
      } catch (error) {
        throw new ZhikuError("invalid:corrupt", `"${input.name}" is damaged: ${(error as Error).message}`, {
          cause: error,
        });
      }
      if (!pageText) {
        context.signal?.throwIfAborted();
        context.onProgress?.({ stage: "ocr", page: pageNumber, pages: document.numPages });
        const rendered = await renderPdfPage({
          page,
          maxPixels: context.maxPixels,
          file: `${input.name} (page ${pageNumber})`,
        });
        const result = await context.ocr.recognize({
          image: rendered.image,
          file: input.name,
          dpi: rendered.dpi,
          ...(context.signal ? { signal: context.signal } : {}),
        });
        if (result.text) recognised.push({ page: pageNumber, result });
        pageText = result.text;
      }
      pageTexts.push(pageText);
      page.cleanup();
    }

    let text = "";
    const sections: Section[] = [];
    pageTexts.forEach((pageText, index) => {
      if (!pageText) return;
      if (text) text += "\n\n";
      sections.push({
        headings: [],
        page: index + 1,
        start: text.length,
        end: text.length + pageText.length,
      });
      text += pageText;
    });
    if (!text) {
      throw new ZhikuError(
        "invalid:empty",
        `"${input.name}" has no text: no page has a text layer, and OCR found no text on the pages either.`,
      );
    }
    const metadata = await document.getMetadata().catch(() => undefined);
    const info = metadata?.info as { Title?: unknown; Author?: unknown } | undefined;
    const title = typeof info?.Title === "string" ? info.Title.trim() : "";
    const author = typeof info?.Author === "string" ? info.Author.trim() : "";
    return {
      type: "pdf",
      text,
      sections,
      pages: document.numPages,
      ...(title ? { title } : {}),
      ...(author ? { byline: author } : {}),
      ...(recognised.length > 0 ? { ocr: buildOcrReport(context.ocr.name, recognised) } : {}),
    };
  } finally {
    await task.destroy();
  }
}
