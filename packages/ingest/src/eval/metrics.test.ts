import { describe, expect, it } from "vitest";
import { distinctInOrder, ndcgAt, recallAt, reciprocalRank } from "./metrics.js";

describe("ranking metrics", () => {
  const ranked = ["c", "a", "x", "b"];

  it("computes recall at k over the expected documents", () => {
    expect(recallAt(ranked, ["a"], 1)).toBe(0);
    expect(recallAt(ranked, ["a"], 2)).toBe(1);
    expect(recallAt(ranked, ["a", "b"], 2)).toBe(0.5);
    expect(recallAt(ranked, ["a", "b"], 10)).toBe(1);
    expect(recallAt(ranked, [], 10)).toBe(0);
  });

  it("computes the reciprocal rank of the first expected document", () => {
    expect(reciprocalRank(ranked, ["c"])).toBe(1);
    expect(reciprocalRank(ranked, ["b", "a"])).toBe(0.5);
    expect(reciprocalRank(ranked, ["z"])).toBe(0);
  });

  it("computes nDCG against the ideal ordering", () => {
    expect(ndcgAt(["a", "b"], ["a", "b"], 10)).toBe(1);
    // One relevant document at rank 2: (1 / log2 3) / 1.
    expect(ndcgAt(ranked, ["a"], 10)).toBeCloseTo(1 / Math.log2(3), 10);
    // Two relevant at ranks 2 and 4: (1/log2 3 + 1/log2 5) / (1 + 1/log2 3).
    expect(ndcgAt(ranked, ["a", "b"], 10)).toBeCloseTo(
      (1 / Math.log2(3) + 1 / Math.log2(5)) / (1 + 1 / Math.log2(3)),
      10,
    );
    expect(ndcgAt(ranked, ["b"], 3)).toBe(0);
  });

  it("keeps the first occurrence of each document", () => {
    expect(distinctInOrder(["a", "b", "a", "c", "b"])).toEqual(["a", "b", "c"]);
  });
});
