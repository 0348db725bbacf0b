import { ZhikuError } from "../errors.js";
import { buildOcrReport } from "../ocr/ocr-report.js";
import type { ParsedDocument } from "../types.js";
import type { DocumentInput } from "./detect-type.js";
import type { ParseContext } from "./parse-options.js";

/**
 * Reads a PNG, JPEG or WebP image (a screenshot, a photographed or scanned page) by OCR: one page, reported as
 * `{ stage: "ocr", page: 1, pages: 1 }` first, its text lines in reading order in one section on page 1, with the
 * document's `ocr` report (confidence, low-confidence words). Fails with `too_large:image` over the pixel limit,
 * `unsupported:ocr` when OCR is not installed, `invalid:empty` when no text is found.
 */
export async function parseImage(input: DocumentInput, context: ParseContext): Promise<ParsedDocument> {
  context.signal?.throwIfAborted();
  context.onProgress?.({ stage: "ocr", page: 1, pages: 1 });
  const result = await context.ocr.recognize({
    image: input.bytes,
    file: input.name,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  if (!result.text) {
    throw new ZhikuError("invalid:empty", `"${input.name}": OCR found no text in the image.`, {
      file: input.name,
    });
  }
  return {
    type: "image",
    text: result.text,
    sections: [{ headings: [], page: 1, start: 0, end: result.text.length }],
    pages: 1,
    ocr: buildOcrReport(context.ocr.name, [{ page: 1, result }]),
  };
}
