import type { Reranker } from "./http-reranker.js";

/** How many fused candidates a reranker sees for a search of `limit` results. */
export function rerankCandidates(limit: number): number {
  return Math.min(Math.max(limit * 3, 20), 100);
}

/** What reranking made of a result list. */
export interface RerankOutcome<T> {
  /** Best first: by the reranker's score when it answered, else in the fused order. */
  results: (T & { rerankScore: number | null })[];
  /** True when the reranker's order is the one returned. */
  reranked: boolean;
  /** Why the fused order was kept although a reranker is configured (it failed or was too slow). */
  rerankError?: string;
}

/**
 * Reorders fused search results by a reranker's scores, keeping `limit`. Without a reranker, or when it fails, the
 * fused order stands and the outcome says why: search must keep answering when an optional service is down.
 */
export async function rerankResults<T extends { text: string }>(options: {
  query: string;
  results: readonly T[];
  reranker: Reranker | undefined;
  limit: number;
  signal?: AbortSignal;
}): Promise<RerankOutcome<T>> {
  const fused = (list: readonly T[]) =>
    list.slice(0, options.limit).map((result) => ({ ...result, rerankScore: null }));
  if (!options.reranker || options.results.length === 0)
    return { results: fused(options.results), reranked: false };
  try {
    const scores = await options.reranker.rerank(
      options.query,
      options.results.map((result) => result.text),
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
      results: fused(options.results),
      reranked: false,
      rerankError: error instanceof Error ? error.message : String(error),
    };
  }
}
