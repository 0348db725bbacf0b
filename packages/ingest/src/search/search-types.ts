/** How a search finds passages: vector and full text fused (default), or one of them alone. */
export type SearchMode = "hybrid" | "vector" | "fulltext";

/** One search hit, best first. These are the fields of `zhiku search --json` and the search API. */
export interface SearchResult {
  documentName: string;
  documentId: string;
  chunkId: string;
  text: string;
  /** Higher is better; for hybrid the fused RRF score, for vector `1 - distance`, for fulltext BM25. */
  score: number;
  /**
   * Cosine similarity of the passage to the query's embedding in [-1, 1], comparable across queries (the
   * relevance cut-off uses it); null when the search ran on full text only.
   */
  relevance: number | null;
  page: number | null;
  headings: string[];
  /** Offsets of the passage in the document text. */
  start: number;
  end: number;
}

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
}

/** Results of a search, best first, and the mode actually used (hybrid falls back to fulltext without Ollama). */
export interface SearchResponse {
  results: SearchResult[];
  mode: SearchMode;
  /** Why the requested mode could not be used, when it fell back. */
  fallbackReason?: string;
}
