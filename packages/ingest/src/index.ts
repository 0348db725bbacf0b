/**
 * @zhiku/ingest: parse, clean, chunk, embed and store documents; search them. The public API used by the
 * server and the CLI.
 */
export { chunkDocument, countTokens } from "./chunk/index.js";
export { normalizeForIndex } from "./clean/index.js";
export { checkOllama, createOllamaEmbedder } from "./embed/index.js";
export {
  type ErrorCode,
  type ErrorKind,
  errorKind,
  isRetryable,
  isZhikuError,
  ZhikuError,
  type ZhikuErrorOptions,
} from "./errors.js";
export {
  type EvalQuestion,
  type EvalReport,
  evaluate,
  formatReport,
  parseQuestions,
} from "./eval/evaluate.js";
export {
  type BaselineComparison,
  compareWithBigramBaseline,
  parseReadingParagraphs,
  type ReadingParagraph,
  readingSet,
  toMainlandSimplified,
} from "./eval/reading-comprehension.js";
export {
  type DocumentRecord,
  type DocumentStatus,
  dataLayout,
  type IngestOptions,
  type IngestOutcome,
  type IngestProgress,
  KnowledgeBase,
  type KnowledgeBaseOptions,
  openKnowledgeBase,
  type SearchMode,
  type SearchOptions,
  type SearchResponse,
  slugify,
  type WorkspaceRecord,
  type WorkspaceSettings,
} from "./knowledge-base.js";
export { parseDocument } from "./parse/index.js";
export { DEFAULT_MAX_BYTES, type PreparedDocument, prepareDocument } from "./pipeline.js";
export {
  type ChunkRecord,
  chunkRecordSchema,
  type SearchResult,
  searchResultSchema,
} from "./record-schemas.js";
export { applyRelevanceCutoff, DEFAULT_RELEVANCE_CUTOFF } from "./relevance.js";
export type { FileStore } from "./store/file-store.js";
export { DEFAULT_FUSION, type FusionOptions, weightsFromVectorShare } from "./store/fusion.js";
export { applyMigrations, type Migration } from "./store/migrations.js";
export type { Chunk, ChunkOptions, DocumentType, Embedder, ParsedDocument, Section } from "./types.js";
export type {
  IngestWorkerData,
  IngestWorkerEvent,
  IngestWorkerRequest,
  IngestWorkerTask,
} from "./worker-protocol.js";
