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
  /** Told as parsing and then chunking start. */
  onStage?: (stage: "parsing" | "chunking") => void;
  /** Stops before chunking once aborted (a parse in progress runs to its end). */
  signal?: AbortSignal;
}

/**
 * Parses and chunks a file: the CPU part of ingestion, where a hostile or broken file can exhaust memory or hang.
 * {@link prepareDocument} does it in the calling thread; a parse pool (`parse-worker/parse-pool.ts`) in threads of
 * its own under a heap limit and a stall timeout.
 */
export type PrepareDocument = (options: PrepareOptions) => Promise<PreparedDocument>;

/**
 * Parses and chunks a file as the prepare step does, in the calling thread: no I/O (benchmarks, tools, the parse
 * worker itself). Fails with a {@link ZhikuError} naming the file.
 */
export const prepareDocument: PrepareDocument = async (options) => {
  options.onStage?.("parsing");
  const parsed = await parseWithinLimit({
    bytes: options.bytes,
    name: options.name,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
  });
  options.signal?.throwIfAborted();
  options.onStage?.("chunking");
  return { parsed, chunks: chunkParsed({ parsed, name: options.name, chunkOptions: options.chunkOptions }) };
};
