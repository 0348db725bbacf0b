import type { RerankSummary, SearchResult } from "../record-schemas.js";

/** How a search finds passages: vector and full text fused (default), or one of them alone. */
export type SearchMode = "hybrid" | "vector" | "fulltext";

/** Options for a search of one workspace (`KnowledgeBase.search`). */
export interface SearchOptions {
  /** Workspace slug. */
  workspace: string;
  /** What to look for, in any language. */
  query: string;
  /** Most results to return; default 10. */
  limit?: number;
  /** Default `hybrid`. */
  mode?: SearchMode;
  /** Only passages of these documents. */
  documentIds?: string[];
  /**
   * Rerank the candidates when a reranker is configured (`RERANK_URL`); default true. `zhiku eval` turns it off to
   * measure the order without it.
   */
  rerank?: boolean;
}

/** Results of a search, best first, and the mode actually used (hybrid falls back to fulltext without Ollama). */
export interface SearchResponse {
  results: SearchResult[];
  mode: SearchMode;
  /** Why the requested mode could not be used, when it fell back. */
  fallbackReason?: string;
  /** Whether the reranker ordered the results; absent without a reranker. */
  rerank?: RerankSummary;
}
