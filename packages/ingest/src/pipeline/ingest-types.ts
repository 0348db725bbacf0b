import type { OcrReport } from "../ocr/ocr-types.js";
import type { DocumentRecord } from "../store/document-repository.js";
import type { ChunkOptions } from "../types.js";

/** Stages reported while a document is ingested. */
export type IngestProgress =
  | { stage: "parsing" }
  /** A page going through OCR (an image is page 1 of 1; a PDF's scanned pages, each in turn). */
  | { stage: "ocr"; page: number; pages: number }
  | { stage: "chunking" }
  | { stage: "embedding"; done: number; total: number }
  | { stage: "storing" };

/** Result of ingesting one file. */
export interface IngestOutcome {
  /** `skipped` when the stored version already has this content. */
  status: "ingested" | "skipped";
  document: DocumentRecord;
  /** For an ingested document some of whose text came from OCR: pages, confidence, the words it doubts. */
  ocr?: OcrReport;
}

/** Options for ingesting one file (`KnowledgeBase.ingest`). */
export interface IngestOptions {
  /** Workspace slug; created with this slug as its name when missing. */
  workspace: string;
  /** Source name of the document (unique per workspace). */
  name: string;
  /** The original file's bytes. */
  bytes: Uint8Array;
  /** Largest accepted file, in bytes; larger ones fail with `too_large:file`. */
  maxBytes?: number;
  /** Chunk size options; defaults from the knowledge base. */
  chunkOptions?: ChunkOptions;
  /** Reports progress through the stages. */
  onProgress?: (progress: IngestProgress) => void;
  /** Cancels the ingestion; nothing of a cancelled version is stored. */
  signal?: AbortSignal;
}
