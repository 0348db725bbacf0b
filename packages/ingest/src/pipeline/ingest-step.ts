import type { Chunk, ChunkOptions, ParsedDocument } from "../types.js";
import type { IngestProgress } from "./ingest-types.js";

/** A chunk and what the full-text index and the embedder see of it. */
export interface IndexedChunk {
  chunk: Chunk;
  /** Heading context and text without boilerplate, normalised; never empty. */
  indexText: string;
}

/**
 * One document on its way through the steps: what it started as, and what each step added. A step returns a new
 * draft; it never changes the one it was given.
 */
export interface DocumentDraft {
  /** Source name (type detection, error messages). */
  readonly name: string;
  /** The original file's bytes. */
  readonly bytes: Uint8Array;
  readonly workspaceId: string;
  readonly documentId: string;
  /** Largest accepted file, in bytes. */
  readonly maxBytes: number;
  /** Chunk sizes; the chunker's defaults when undefined. */
  readonly chunkOptions: ChunkOptions | undefined;
  /** Set by the parse step. */
  readonly parsed?: ParsedDocument;
  /** Fingerprints of the document's edge lines, stored with it (set by the clean step). */
  readonly fingerprints: readonly string[];
  /** Whether a line of the document text is boilerplate (set by the clean step when any is). */
  readonly isBoilerplate?: (line: string) => boolean;
  /** Set by the chunk step. */
  readonly chunks: readonly Chunk[];
  /** Chunks that have something to index, in order (set by the index-text step). */
  readonly indexed: readonly IndexedChunk[];
  /** The chunk table the vectors are for (set by the embed step). */
  readonly table?: string;
  /** One vector per indexed chunk (set by the embed step). */
  readonly vectors: readonly number[][];
}

/** What a step may use besides the draft: the caller's cancellation and progress. */
export interface StepContext {
  signal?: AbortSignal;
  onProgress?: (progress: IngestProgress) => void;
}

/**
 * One step of the ingestion pipeline (see `default-steps.ts` for the order). A new step (OCR, another splitter) is
 * a module that exports one of these, put into the list.
 */
export interface IngestStep {
  /** Short name, in error messages. */
  readonly name: string;
  /** Progress stage reported before the step runs, if it starts one. */
  readonly stage?: "parsing" | "chunking";
  /** Does the step's work; fails with a `ZhikuError` naming the file when the document cannot go on. */
  run(draft: DocumentDraft, context: StepContext): DocumentDraft | Promise<DocumentDraft>;
}

/** A draft of a document that no step has seen yet. */
export function newDraft(
  input: Pick<DocumentDraft, "name" | "bytes" | "workspaceId" | "documentId" | "maxBytes" | "chunkOptions">,
): DocumentDraft {
  return { ...input, fingerprints: [], chunks: [], indexed: [], vectors: [] };
}

/**
 * The parsed document of a draft, for steps that need it.
 * @throws Error when no parse step ran before `step` (a pipeline put together in the wrong order).
 */
export function parsedOf(draft: DocumentDraft, step: string): ParsedDocument {
  if (!draft.parsed)
    throw new Error(`The ${step} step needs a parsed document: put the parse step before it`);
  return draft.parsed;
}
