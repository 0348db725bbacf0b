/**
 * The messages between a parse pool (`parse-pool.ts`) and its parse worker threads (`parse-worker.ts`), declared
 * once for both sides. A parse worker parses and chunks (see `prepareDocument`) and loads nothing else: no LanceDB,
 * no SQLite, so stopping it at its heap limit or when it hangs can harm nothing but the file it was reading.
 */

import type { OcrOptions } from "../ocr/ocr-types.js";
import type { PreparedDocument, PrepareProgress } from "../pipeline/prepare-document.js";
import type { ChunkOptions } from "../types.js";

/** One file to parse and chunk. */
export interface ParseRequest {
  type: "prepare";
  /** The pool's id of the request; every event about it carries it. */
  id: number;
  /** Source name (type detection, error messages). */
  name: string;
  /** The file's bytes. */
  bytes: Uint8Array;
  /** Largest accepted size in bytes. */
  maxBytes: number;
  /** Chunk sizes; the chunker's defaults when undefined. */
  chunkOptions?: ChunkOptions;
  /** OCR settings; Tesseract's defaults when undefined. */
  ocr?: OcrOptions;
}

/** Messages a parse worker sends back. */
export type ParseEvent =
  /** The worker has loaded and takes requests. */
  | { type: "ready" }
  /** A stage of the request started, or an OCR page: what a stall timeout counts as progress. */
  | { type: "progress"; id: number; progress: PrepareProgress }
  | { type: "done"; id: number; prepared: PreparedDocument }
  /** `code` is set when the failure was a `ZhikuError`. */
  | { type: "failed"; id: number; error: { code?: string; message: string; retryable?: boolean } };
