/**
 * @zhiku/ingest: parse, clean, chunk, embed and store documents; search them. The public API used by the
 * server and the CLI.
 */
export { chunkDocument, countTokens } from "./chunk/index.js";
export { normalizeForIndex, preloadWordSegmenter } from "./clean/index.js";
export { createOllamaEmbedder } from "./embed/index.js";
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
  type IngestOptions,
  type IngestOutcome,
  type IngestProgress,
  KnowledgeBase,
  type KnowledgeBaseOptions,
  openKnowledgeBase,
  type SearchMode,
  type SearchOptions,
  type SearchResponse,
  type WorkspaceRecord,
  type WorkspaceSettings,
} from "./knowledge-base.js";
export { type KnowledgeBaseSettings, knowledgeBaseOptionsFrom } from "./knowledge-base-options.js";
export {
  DEFAULT_OCR_LANGUAGES,
  DEFAULT_OCR_MAX_PIXELS,
  type LowConfidenceWord,
  type OcrOptions,
  type OcrReport,
} from "./ocr/index.js";
export { type ParseOptions, type ParseProgress, parseDocument } from "./parse/index.js";
export { DEFAULT_MAX_BYTES } from "./pipeline/parse-step.js";
export { type PreparedDocument, prepareDocument } from "./pipeline/prepare-document.js";
export {
  type ChunkRecord,
  chunkRecordSchema,
  type RerankSummary,
  rerankSummarySchema,
  type SearchResult,
  searchResultSchema,
} from "./record-schemas.js";
// The types of WorkspaceRecord's `refusal` are exported so that the server's inferred route types can name them.
export {
  keepRelevant,
  type RelevanceCalibration,
  type RelevanceCutoffSource,
  type RelevanceCutoffs,
  type RelevanceEvidence,
} from "./refuse/relevance.js";
export type { ScoreDistribution } from "./refuse/score-distribution.js";
export { DEFAULT_FUSION, type FusionOptions, weightsFromVectorShare } from "./search/fusion.js";
export type { RerankerWatch } from "./search/reranker-watch.js";
export { dataLayout } from "./store/data-layout.js";
export type { FileStore } from "./store/file-store.js";
export { applyMigrations, type Migration } from "./store/migrations.js";
export { createStatementCache, type StatementCache } from "./store/statements.js";
export { slugify } from "./store/workspace-repository.js";
export type { Chunk, ChunkOptions, DocumentType, Embedder, ParsedDocument, Section } from "./types.js";
export type {
  IngestWorkerData,
  IngestWorkerEvent,
  IngestWorkerRequest,
  IngestWorkerTask,
} from "./worker-protocol.js";
