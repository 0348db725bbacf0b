import { chunkDocument } from "./chunk/index.js";
import { boilerplateRanges, normalizeForIndex, withoutRanges } from "./clean/index.js";
import { ZhikuError } from "./errors.js";
import { parseDocument } from "./parse/index.js";
import type { Chunk, ChunkOptions, ParsedDocument } from "./types.js";

/** Default largest accepted file: 50 MB, as `MAX_UPLOAD_MB` defaults. */
export const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** A parsed and chunked document, ready to be embedded. */
export interface PreparedDocument {
  parsed: ParsedDocument;
  chunks: Chunk[];
}

/** Options for {@link prepareDocument}. */
export interface PrepareOptions {
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Source name (used for type detection and in error messages). */
  name: string;
  /** Largest accepted size in bytes. */
  maxBytes?: number;
  /** Chunk sizes. */
  chunkOptions?: ChunkOptions;
}

/** Parses and chunks a file: the CPU part of ingestion, no I/O. Fails with an {@link ZhikuError} naming the file. */
export async function prepareDocument(options: PrepareOptions): Promise<PreparedDocument> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BYTES;
  if (options.bytes.byteLength > maxBytes) {
    throw new ZhikuError(
      "too_large:file",
      `${options.name}: file is ${formatMegabytes(options.bytes.byteLength)}, over the ${formatMegabytes(maxBytes)} limit (MAX_UPLOAD_MB)`,
    );
  }
  const parsed = await parseDocument({ bytes: options.bytes, name: options.name });
  const chunks = chunkDocument(parsed, options.chunkOptions);
  if (chunks.length === 0)
    throw new ZhikuError("invalid:empty", `${options.name}: no text found in the file`);
  return { parsed, chunks };
}

function formatMegabytes(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * What the full-text index and the embedder see for each chunk of a document: its heading path (and the document
 * title) as context, then its text without boilerplate (see {@link boilerplateRanges}: judged over the whole
 * document, once), normalised. Empty for a chunk that is all boilerplate.
 */
export function indexTextsOf(options: {
  parsed: ParsedDocument;
  chunks: readonly Chunk[];
  /** Judges a line as it stands in the document; leave it out when the document has no repeated lines. */
  isBoilerplate?: (line: string) => boolean;
  /** Prefix the title and heading path (default true). */
  headingContext?: boolean;
}): string[] {
  const { parsed } = options;
  const excluded = boilerplateRanges(parsed.text, options.isBoilerplate);
  return options.chunks.map((chunk) => {
    const body = normalizeForIndex(withoutRanges(chunk.text, chunk.start, excluded));
    if (body.length === 0) return "";
    if (options.headingContext === false) return body;
    const context = [parsed.title, ...chunk.headings].filter(
      (part, index, parts): part is string => Boolean(part) && parts.indexOf(part) === index,
    );
    return context.length > 0 ? `${normalizeForIndex(context.join(" > "))}\n${body}` : body;
  });
}
