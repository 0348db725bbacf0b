import { ZhikuError } from "../errors.js";
import { type ParseOptions, parseDocument } from "../parse/index.js";
import type { ParsedDocument } from "../types.js";

/** Default largest accepted file: 50 MB, as `MAX_UPLOAD_MB` defaults. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * Parses a file no larger than `maxBytes` (see `parse/` for the formats).
 * @throws ZhikuError `too_large:file` over the limit; the parsers' errors otherwise, each naming the file.
 */
export async function parseWithinLimit(options: {
  bytes: Uint8Array;
  name: string;
  maxBytes: number;
  /** OCR settings, progress and cancellation of the parse. */
  parse?: ParseOptions;
}): Promise<ParsedDocument> {
  const { bytes, name, maxBytes } = options;
  if (bytes.byteLength > maxBytes) {
    throw new ZhikuError(
      "too_large:file",
      `${name}: file is ${formatMegabytes(bytes.byteLength)}, over the ${formatMegabytes(maxBytes)} limit (MAX_UPLOAD_MB)`,
    );
  }
  return parseDocument({ bytes, name }, options.parse);
}
