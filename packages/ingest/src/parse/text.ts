import { ZhikuError } from "../errors.js";
import type { ParsedDocument } from "../types.js";
import { decodeText } from "./decode-text.js";
import type { DocumentInput } from "./detect-type.js";

/**
 * Parses a plain text file: the encoding is detected (see `decodeText`), line endings are
 * normalised to `\n`, and one section covers the text from its first to its last visible character.
 */
export function parseText(input: DocumentInput): ParsedDocument {
  const { text, encoding } = decodeText(input);
  const start = text.search(/\S/);
  if (start === -1)
    throw new ZhikuError("invalid:empty", `"${input.name}" contains no text (only whitespace).`);
  const end = text.trimEnd().length;
  return { type: "text", text, sections: [{ headings: [], start, end }], encoding };
}
