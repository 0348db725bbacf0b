import type { SearchResult } from "../record-schemas.js";

/**
 * Default minimum cosine similarity between a question and a passage for the passage to count as relevant.
 * Query mode refuses to answer when no passage reaches it. Chosen from `zhiku eval` (see bench/results/):
 * for bge-m3, related passages score well above it and unrelated ones below; workspaces can override it.
 */
export const DEFAULT_RELEVANCE_CUTOFF = 0.35;

/**
 * The results that pass a relevance cut-off (0..1) on their cosine similarity. A full-text-only hit has no
 * similarity and is kept, since a lexical match is itself evidence of relevance.
 */
export function applyRelevanceCutoff<T extends Pick<SearchResult, "relevance">>(
  results: readonly T[],
  cutoff: number,
): T[] {
  if (cutoff <= 0) return [...results];
  return results.filter((result) => result.relevance === null || result.relevance >= cutoff);
}
