import type { Reranker } from "./http-reranker.js";

/** How many fused candidates a reranker sees for a search of `limit` results: 3×, at least 20, at most 100. */
export function rerankCandidates(limit: number): number {
  return Math.min(Math.max(limit * 3, 20), 100);
}

/** What a search result gives the reranker to read. */
export interface RerankCandidate {
  text: string;
  /** The passage's heading path, read with its text when present. */
  headings?: readonly string[];
}

/** What reranking made of a result list. */
export interface RerankOutcome<T> {
  /**
   * Best first, at most `limit`: by the reranker's score (`rerankScore` on each) when it answered, else in the fused
   * order without `rerankScore`.
   */
  results: (T & { rerankScore?: number })[];
  /** True when the reranker's order is the one returned. */
  reranked: boolean;
  /** Why the fused order was kept although a reranker is configured (it failed or was too slow). */
  rerankError?: string;
}

/**
 * The text a reranker scores for a passage: its heading path, then its text. The index text that full text and the
 * embedder saw starts with the same context, so the reranker judges what retrieval matched.
 */
export function rerankText(candidate: RerankCandidate): string {
  const headings = candidate.headings ?? [];
  return headings.length > 0 ? `${headings.join(" > ")}\n${candidate.text}` : candidate.text;
}

/**
 * Reorders fused search results by a reranker's scores, keeping `limit`. Without a reranker, or when it fails, the
 * fused order stands and the outcome says why: search must keep answering when an optional service is down.
 */
export async function rerankResults<T extends RerankCandidate>(options: {
  query: string;
  results: readonly T[];
  reranker: Reranker | undefined;
  limit: number;
  signal?: AbortSignal;
}): Promise<RerankOutcome<T>> {
  const fused = () => options.results.slice(0, options.limit);
  if (!options.reranker || options.results.length === 0) return { results: fused(), reranked: false };
  try {
    const scores = await options.reranker.rerank(
      options.query,
      options.results.map(rerankText),
      options.signal ? { signal: options.signal } : {},
    );
    const ordered = scores
      .map(({ index, score }) => {
        const result = options.results[index];
        return result ? { ...result, rerankScore: score } : undefined;
      })
      .filter((result): result is T & { rerankScore: number } => result !== undefined);
    return { results: ordered.slice(0, options.limit), reranked: true };
  } catch (error) {
    if (options.signal?.aborted) throw error;
    return {
      results: fused(),
      reranked: false,
      rerankError: error instanceof Error ? error.message : String(error),
    };
  }
}
