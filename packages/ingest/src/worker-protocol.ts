/**
 * The messages between the server and an ingest worker thread (`ingest-worker.ts`), declared once for both sides.
 * The server starts a worker with {@link IngestWorkerData}, sends {@link IngestWorkerRequest}s and reads
 * {@link IngestWorkerEvent}s back.
 */

import type { IngestOutcome, IngestProgress } from "./knowledge-base.js";

/** Start-up data of an ingest worker. */
export interface IngestWorkerData {
  /** The data dir the worker opens its own knowledge base handles on. */
  dataDir: string;
  /** Where Ollama listens. */
  ollamaHost: string;
  /** The embedding model. */
  embedModel: string;
  /** Largest accepted original, in bytes. */
  maxBytes?: number;
  /** `OCR_LANGUAGES`: Tesseract languages joined by `+`; the ingest default (`chi_sim+eng`) when unset. */
  ocrLanguages?: string;
  /** Largest JavaScript heap of one parse worker, in MB (`INGEST_WORKER_HEAP_MB`); the parse pool's default when unset. */
  parseHeapMb?: number;
  /** A parse worker that reports no progress for this long is stopped (`INGEST_STALL_TIMEOUT_S`); the parse pool's default when unset. */
  stallTimeoutMs?: number;
}

/** One document to ingest: the uploaded original of a queued document. */
export interface IngestWorkerTask {
  /** The server's job id; every event about the task carries it. */
  jobId: string;
  /** Workspace slug. */
  workspace: string;
  documentId: string;
  name: string;
  /** SHA-256 of the original in the file store. */
  fileHash: string;
}

/** Messages the server sends to a worker. */
export type IngestWorkerRequest =
  | ({ type: "ingest" } & IngestWorkerTask)
  | { type: "cancel"; jobId: string }
  | { type: "close" };

/** Messages a worker sends to the server. */
export type IngestWorkerEvent =
  /** The worker opened its knowledge base and takes tasks. */
  | { type: "ready" }
  | { type: "progress"; jobId: string; progress: IngestProgress }
  | { type: "done"; jobId: string; outcome: IngestOutcome }
  | { type: "failed"; jobId: string; error: { code: string; message: string }; retryable: boolean }
  /** The worker cannot work at all (its knowledge base did not open); it exits after sending this. */
  | { type: "fatal"; message: string };
