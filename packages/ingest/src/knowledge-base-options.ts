import { createOllamaEmbedder } from "./embed/index.js";
import type { OcrOptions } from "./ocr/ocr-types.js";
import type { PrepareDocument } from "./pipeline/prepare-document.js";
import type { FusionOptions } from "./search/fusion.js";
import { weightsFromVectorShare } from "./search/fusion.js";
import { createHttpReranker, type Reranker } from "./search/http-reranker.js";
import { type RerankerWatch, watchReranker } from "./search/reranker-watch.js";
import type { VectorIndexTuning } from "./store/vector-index.js";
import type { ChunkOptions, Embedder } from "./types.js";

/** Options for `openKnowledgeBase`. */
export interface KnowledgeBaseOptions {
  /** Root of the data layout shared by the CLI and the server (`DATA_DIR`). */
  dataDir: string;
  /** Embeds chunks and queries. */
  embedder: Embedder;
  /** Default chunk sizes. */
  chunkOptions?: ChunkOptions;
  /** Vector index tuning. */
  vectorIndex?: Partial<VectorIndexTuning>;
  /** Weights of the vector and full-text rankings in hybrid search; default k 60, equal weights. */
  fusion?: Partial<FusionOptions>;
  /** A line is boilerplate once it appears in this many documents of a workspace. Default 3. */
  boilerplateMinDocuments?: number;
  /**
   * Whether the index text (full text and embeddings) of a chunk starts with its document title and heading
   * path. Default true: it lifts recall for questions phrased like the section title (bench/results).
   */
  headingContext?: boolean;
  /**
   * Parses and chunks each file. Default `prepareDocument`, in the calling thread; the server's ingest workers pass a
   * parse pool's (`createParsePool`), so a runaway file is stopped in a thread that holds no LanceDB call.
   */
  prepare?: PrepareDocument;
  /** Reorders search candidates (see `createRetriever`); none by default. */
  reranker?: Reranker;
  /**
   * OCR of images and of PDF pages without a text layer: languages (`OCR_LANGUAGES`), the tesseract command, the
   * pixel limit. Tesseract's defaults (`chi_sim+eng`) when undefined.
   */
  ocr?: OcrOptions;
}

/**
 * The settings a process reads from its environment to open the knowledge base, with the names the server's
 * config uses: `DATA_DIR`, `OLLAMA_HOST`, `EMBED_MODEL`, `FUSION_VECTOR_WEIGHT`. The server, the CLI and the
 * ingest worker threads each parse their environment their own way and pass these to {@link knowledgeBaseOptionsFrom}.
 */
export interface KnowledgeBaseSettings {
  /** `DATA_DIR`. */
  dataDir: string;
  /** `OLLAMA_HOST`: base URL of Ollama. */
  ollamaHost: string;
  /** `EMBED_MODEL`: the Ollama embedding model. */
  embedModel: string;
  /** `FUSION_VECTOR_WEIGHT`: the vector ranking's share in hybrid search, from 0 to 1; equal weights when unset. */
  fusionVectorWeight?: number;
  /** The reranking server searches use, when one is configured. */
  rerank?: {
    /** `RERANK_URL`: base URL of a server with `POST /v1/rerank`. */
    url: string;
    /** `RERANK_MODEL`. */
    model: string;
    /** `RERANK_TIMEOUT_MS`: longest wait for the reranker before a search keeps the fused order. */
    timeoutMs?: number;
  };
  /** `OCR_LANGUAGES`: Tesseract languages joined by `+`; `chi_sim+eng` when unset. */
  ocrLanguages?: string;
}

/**
 * The options of the knowledge base as the server, the CLI and the worker threads open it: the Ollama embedder,
 * the fusion weights and the reranker from the settings. The one place these options are built. `rerankerWatch`
 * hears of the reranker's outages and recoveries (the server logs them).
 * @throws ZhikuError `invalid:input` when `fusionVectorWeight` is outside [0, 1].
 */
export function knowledgeBaseOptionsFrom(
  settings: KnowledgeBaseSettings,
  hooks: { rerankerWatch?: RerankerWatch } = {},
): KnowledgeBaseOptions {
  const { rerank } = settings;
  const reranker =
    rerank &&
    createHttpReranker({
      url: rerank.url,
      model: rerank.model,
      ...(rerank.timeoutMs === undefined ? {} : { timeoutMs: rerank.timeoutMs }),
    });
  return {
    dataDir: settings.dataDir,
    embedder: createOllamaEmbedder({ host: settings.ollamaHost, model: settings.embedModel }),
    ...(settings.fusionVectorWeight === undefined
      ? {}
      : { fusion: weightsFromVectorShare(settings.fusionVectorWeight) }),
    ...(reranker === undefined
      ? {}
      : { reranker: hooks.rerankerWatch ? watchReranker(reranker, hooks.rerankerWatch) : reranker }),
    ...(settings.ocrLanguages === undefined ? {} : { ocr: { languages: settings.ocrLanguages } }),
  };
}
