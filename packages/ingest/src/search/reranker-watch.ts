import type { Reranker } from "./http-reranker.js";

/** Told when a reranker stops answering and when it answers again. */
export interface RerankerWatch {
  /** The first failure after a success (or at start): the outage begins. `reason` is that failure's message. */
  onDown(reason: string): void;
  /** The first success after an outage. */
  onUp(): void;
}

/**
 * A reranker that reports outages, not failures: while it keeps failing, only its first failure is reported, so a
 * reranker that is down for an hour logs one warning instead of one per query. Aborts by the caller's signal are not
 * failures of the reranker and change nothing.
 */
export function watchReranker(reranker: Reranker, watch: RerankerWatch): Reranker {
  let down = false;
  return {
    model: reranker.model,
    async rerank(query, documents, options = {}) {
      try {
        const scores = await reranker.rerank(query, documents, options);
        if (down) {
          down = false;
          watch.onUp();
        }
        return scores;
      } catch (error) {
        if (!options.signal?.aborted && !down) {
          down = true;
          watch.onDown(error instanceof Error ? error.message : String(error));
        }
        throw error;
      }
    },
  };
}
