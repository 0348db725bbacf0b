import { ZhikuError } from "../errors.js";

/**
 * Weighted reciprocal rank fusion: how the vector and the full-text rankings of a hybrid search are merged.
 * An item at 0-based position `rank` of a ranking with weight `w` gets `w / (k + rank)`; its fused score is the
 * sum over the rankings it appears in. With `k` 60 and both weights 1 this is LanceDB's `RRFReranker`, score for
 * score (it counts ranks from 0 too).
 */
export interface FusionOptions {
  /** Smoothing constant: larger values flatten the gap between the top ranks and the ones after. Default 60. */
  k: number;
  /** Weight of the vector ranking. Default 1. */
  vectorWeight: number;
  /** Weight of the full-text ranking. Default 1. */
  fullTextWeight: number;
}

/**
 * Defaults: the constant of the RRF paper and equal weights. The stand-in embedder's lexical vectors cannot say
 * which side a real model should be weighted towards (bench/results/retrieval-experiments.md, "Fusion weights").
 */
export const DEFAULT_FUSION: FusionOptions = { k: 60, vectorWeight: 1, fullTextWeight: 1 };

/**
 * The two weights from one share in [0, 1] for the vector side (full text gets the rest), as `FUSION_VECTOR_WEIGHT`
 * sets them. Scaled by 2, so 0.5 gives {@link DEFAULT_FUSION}'s weights and scores exactly.
 * @throws ZhikuError `invalid:input` when the share is outside [0, 1].
 */
export function weightsFromVectorShare(
  share: number,
): Pick<FusionOptions, "vectorWeight" | "fullTextWeight"> {
  if (!Number.isFinite(share) || share < 0 || share > 1) {
    throw new ZhikuError("invalid:input", `fusion vector weight: must be a number from 0 to 1, got ${share}`);
  }
  return { vectorWeight: 2 * share, fullTextWeight: 2 * (1 - share) };
}

/** One ranking to fuse: item keys best first, and the ranking's weight. */
export interface Ranking {
  keys: readonly string[];
  weight: number;
}

/** A fused item: its key and fused score, higher is better. */
export interface FusedItem {
  key: string;
  score: number;
}

/**
 * Checks fusion options, naming the field that is wrong.
 * @throws ZhikuError `invalid:input` when `k` is not positive or a weight is negative, not finite, or both are 0.
 */
export function validateFusionOptions(options: FusionOptions, source = "fusion"): FusionOptions {
  if (!Number.isFinite(options.k) || options.k <= 0) {
    throw new ZhikuError("invalid:input", `${source}.k: must be a number above 0, got ${options.k}`);
  }
  for (const field of ["vectorWeight", "fullTextWeight"] as const) {
    const weight = options[field];
    if (!Number.isFinite(weight) || weight < 0) {
      throw new ZhikuError(
        "invalid:input",
        `${source}.${field}: must be a number of at least 0, got ${weight}`,
      );
    }
  }
  if (options.vectorWeight === 0 && options.fullTextWeight === 0) {
    throw new ZhikuError("invalid:input", `${source}: vectorWeight and fullTextWeight must not both be 0`);
  }
  return options;
}

/**
 * Fuses rankings by weighted reciprocal rank (see {@link FusionOptions}), best first. A key repeated within one
 * ranking counts at its first position only. Equal scores keep the order in which keys were first seen, the first
 * ranking's keys before the second's, so the result is deterministic.
 */
export function fuseRankings(rankings: readonly Ranking[], k: number): FusedItem[] {
  const scores = new Map<string, number>();
  for (const ranking of rankings) {
    const seen = new Set<string>();
    ranking.keys.forEach((key, rank) => {
      if (seen.has(key)) return;
      seen.add(key);
      scores.set(key, (scores.get(key) ?? 0) + ranking.weight / (k + rank));
    });
  }
  // Array.prototype.sort is stable, so ties stay in first-seen order.
  return [...scores].map(([key, score]) => ({ key, score })).sort((a, b) => b.score - a.score);
}
