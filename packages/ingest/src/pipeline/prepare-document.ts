import type { OcrOptions } from "../ocr/ocr-types.js";
import type { ParseProgress } from "../parse/parse-options.js";
import type { Chunk, ChunkOptions, ParsedDocument } from "../types.js";
import { chunkParsed } from "./chunk-step.js";
import { DEFAULT_MAX_BYTES, parseWithinLimit } from "./parse-step.js";

/** A parsed and chunked document, ready to be embedded. */
export interface PreparedDocument {
  parsed: ParsedDocument;
  chunks: Chunk[];
}

/** What preparing a file reports: parsing starts, each page that goes through OCR, chunking starts. */
export type PrepareProgress = { stage: "parsing" } | ParseProgress | { stage: "chunking" };

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
  /** OCR of images and of PDF pages without a text layer; Tesseract's defaults when undefined. */
  ocr?: OcrOptions;
  /** Told as parsing starts, before each page that goes through OCR, and as chunking starts. */
  onProgress?: (progress: PrepareProgress) => void;
  /** Stops between OCR pages and before chunking once aborted (other parsing runs to its end). */
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
  options.onProgress?.({ stage: "parsing" });
  const parsed = await parseWithinLimit({
    bytes: options.bytes,
    name: options.name,
    maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
    parse: {
      ...(options.ocr ? { ocr: options.ocr } : {}),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    },
  });
  options.signal?.throwIfAborted();
  options.onProgress?.({ stage: "chunking" });
  return { parsed, chunks: chunkParsed({ parsed, name: options.name, chunkOptions: options.chunkOptions }) };
};
