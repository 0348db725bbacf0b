/** Summary statistics of a sample of scores (similarities or BM25 scores). */
export interface ScoreDistribution {
  /** Scores in the sample. */
  count: number;
  mean: number;
  /** Sample standard deviation; 0 for fewer than two scores. */
  sd: number;
  median: number;
  /**
   * 1.4826 × the median absolute deviation: the standard deviation a normal sample with this spread would have, but
   * barely moved by a few outliers (a probe question that happens to match the workspace after all).
   */
  robustSd: number;
  /** 90th percentile (nearest rank). */
  p90: number;
  max: number;
}

function nearestRank(sorted: readonly number[], share: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1));
  return sorted[index]!;
}

function median(sorted: readonly number[]): number {
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Summarises scores.
 * @throws Error for an empty sample: a distribution of nothing has no cut-off to derive.
 */
export function summarizeScores(scores: readonly number[]): ScoreDistribution {
  if (scores.length === 0) throw new Error("summarizeScores: no scores");
  const sorted = [...scores].sort((left, right) => left - right);
  const mean = sorted.reduce((sum, score) => sum + score, 0) / sorted.length;
  const variance =
    sorted.length > 1 ? sorted.reduce((sum, score) => sum + (score - mean) ** 2, 0) / (sorted.length - 1) : 0;
  const middle = median(sorted);
  const deviations = sorted.map((score) => Math.abs(score - middle)).sort((left, right) => left - right);
  return {
    count: sorted.length,
    mean,
    sd: Math.sqrt(variance),
    median: middle,
    robustSd: 1.4826 * median(deviations),
    p90: nearestRank(sorted, 0.9),
    max: sorted[sorted.length - 1]!,
  };
}
