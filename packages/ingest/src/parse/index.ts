import { isZhikuError, ZhikuError } from "../errors.js";
import type { DocumentType, ParsedDocument } from "../types.js";
import { parseCsv } from "./csv.js";
import { type DocumentInput, detectDocumentType } from "./detect-type.js";
import { parseJson } from "./json.js";
import { parseMarkdown } from "./markdown.js";
import { parseText } from "./text.js";

export { parseCsv } from "./csv.js";
export { type DecodedText, type DecodeTextOptions, decodeText } from "./decode-text.js";
export { type DocumentInput, detectDocumentType, extensionOf, hasPdfHeader } from "./detect-type.js";
export { parseJson } from "./json.js";
export { findMarkdownHeadings, frontMatterLength, type MarkdownHeading, parseMarkdown } from "./markdown.js";
export { parseText } from "./text.js";

// PDF, DOCX and HTML parsers pull in large libraries (pdf.js, mammoth, linkedom): load them on first use so
// the CLI and the server start fast.
const parsers: Record<DocumentType, (input: DocumentInput) => ParsedDocument | Promise<ParsedDocument>> = {
  pdf: async (input) => (await import("./pdf.js")).parsePdf(input),
  docx: async (input) => (await import("./docx.js")).parseDocx(input),
  html: async (input) => (await import("./html.js")).parseHtml(input),
  markdown: parseMarkdown,
  text: parseText,
  csv: parseCsv,
  json: parseJson,
};

/**
 * Parses a file into display text plus sections, deciding its format from its content and
 * extension (see {@link detectDocumentType}). Pure: reads nothing but the given bytes.
 * Every failure is an `ZhikuError` whose message names the file: `invalid:empty`,
 * `invalid:corrupt`, `invalid:encrypted`, `invalid:binary`, `invalid:encoding` or `unsupported:type`.
 */
export async function parseDocument(input: DocumentInput): Promise<ParsedDocument> {
  const type = detectDocumentType(input);
  try {
    const document = await parsers[type](input);
    if (document.text.trim().length === 0) {
      throw new ZhikuError("invalid:empty", `"${input.name}" contains no text.`);
    }
    return document;
  } catch (error) {
    if (isZhikuError(error)) throw error;
    throw new ZhikuError(
      "invalid:corrupt",
      `"${input.name}" could not be read as ${type}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
}
