/**
 * Ranking metrics over document names, with binary relevance: a retrieved document is relevant when it is one
 * of the question's expected documents. `ranked` holds distinct document names, best first.
 */

/** Share of the expected documents found in the first `k` ranked ones. */
export function recallAt(ranked: readonly string[], expected: readonly string[], k: number): number {
  if (expected.length === 0) return 0;
  const top = new Set(ranked.slice(0, k));
  return expected.filter((name) => top.has(name)).length / expected.length;
}

/** 1 / rank of the first expected document, or 0 when none is ranked. */
export function reciprocalRank(ranked: readonly string[], expected: readonly string[]): number {
  const wanted = new Set(expected);
  const position = ranked.findIndex((name) => wanted.has(name));
  return position === -1 ? 0 : 1 / (position + 1);
}

/** Normalised discounted cumulative gain of the first `k` ranked documents. */
export function ndcgAt(ranked: readonly string[], expected: readonly string[], k: number): number {
  const wanted = new Set(expected);
  let dcg = 0;
  ranked.slice(0, k).forEach((name, position) => {
    if (wanted.has(name)) dcg += 1 / Math.log2(position + 2);
  });
  let ideal = 0;
  for (let position = 0; position < Math.min(k, wanted.size); position++)
    ideal += 1 / Math.log2(position + 2);
  return ideal === 0 ? 0 : dcg / ideal;
}

/** Distinct values in first-seen order: turns a list of passages' documents into a document ranking. */
export function distinctInOrder(values: readonly string[]): string[] {
  return [...new Set(values)];
}
