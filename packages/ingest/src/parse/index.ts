import { isZhikuError, ZhikuError } from "../errors.js";
import { DEFAULT_OCR_MAX_PIXELS } from "../ocr/ocr-types.js";
import { createTesseractOcr } from "../ocr/tesseract.js";
import type { DocumentType, ParsedDocument } from "../types.js";
import { parseCsv } from "./csv.js";
import { type DocumentInput, detectDocumentType } from "./detect-type.js";
import { parseJson } from "./json.js";
import { parseMarkdown } from "./markdown.js";
import type { ParseContext, ParseOptions } from "./parse-options.js";
import { parseText } from "./text.js";

export { parseCsv } from "./csv.js";
export { type DecodedText, type DecodeTextOptions, decodeText } from "./decode-text.js";
export { type DocumentInput, detectDocumentType, extensionOf, hasPdfHeader } from "./detect-type.js";
export { parseJson } from "./json.js";
export { findMarkdownHeadings, frontMatterLength, type MarkdownHeading, parseMarkdown } from "./markdown.js";
export type { ParseOptions, ParseProgress } from "./parse-options.js";
export { parseText } from "./text.js";

// PDF, DOCX and HTML parsers pull in large libraries (pdf.js, mammoth, linkedom): load them on first use so
// the CLI and the server start fast.
const parsers: Record<
  DocumentType,
  (input: DocumentInput, context: ParseContext) => ParsedDocument | Promise<ParsedDocument>
> = {
  pdf: async (input, context) => (await import("./pdf.js")).parsePdf(input, context),
  image: async (input, context) => (await import("./image.js")).parseImage(input, context),
  docx: async (input) => (await import("./docx.js")).parseDocx(input),
  html: async (input) => (await import("./html.js")).parseHtml(input),
  markdown: parseMarkdown,
  text: parseText,
  csv: parseCsv,
  json: parseJson,
};

/**
 * Parses a file into display text plus sections, deciding its format from its content and
 * extension (see {@link detectDocumentType}). Reads nothing but the given bytes, except that images and PDF pages
 * without a text layer go through OCR (the `tesseract` command, see `ocr/`), reporting each such page to
 * `options.onProgress`.
 * Every failure is an `ZhikuError` whose message names the file: `invalid:empty`,
 * `invalid:corrupt`, `invalid:encrypted`, `invalid:binary`, `invalid:encoding`, `unsupported:type`, and for OCR
 * `unsupported:ocr` (Tesseract or a language pack is not installed) or `too_large:image`.
 */
export async function parseDocument(
  input: DocumentInput,
  options: ParseOptions = {},
): Promise<ParsedDocument> {
  const type = detectDocumentType(input);
  const context: ParseContext = {
    ocr: createTesseractOcr(options.ocr),
    maxPixels: options.ocr?.maxPixels ?? DEFAULT_OCR_MAX_PIXELS,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  };
  try {
    const document = await parsers[type](input, context);
    if (document.text.trim().length === 0) {
      throw new ZhikuError("invalid:empty", `"${input.name}" contains no text.`);
    }
    return document;
  } catch (error) {
    if (isZhikuError(error) || options.signal?.aborted) throw error;
    throw new ZhikuError(
      "invalid:corrupt",
      `"${input.name}" could not be read as ${type}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
