import type { Chunk, ChunkOptions, ParsedDocument } from "../types.js";
import { chunkParsed } from "./chunk-step.js";
import { DEFAULT_MAX_BYTES, parseWithinLimit } from "./parse-step.js";

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

/**
 * Parses and chunks a file as the parse and chunk steps do: the CPU part of ingestion, no I/O (benchmarks, tools).
 * Fails with a {@link ZhikuError} naming the file.
 */
export async function prepareDocument(options: PrepareOptions): Promise<PreparedDocument> {
  const parsed = await parseWithinLimit({
    bytes: options.bytes,
    name: options.name,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
  });
  return { parsed, chunks: chunkParsed({ parsed, name: options.name, chunkOptions: options.chunkOptions }) };
}
