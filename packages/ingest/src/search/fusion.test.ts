import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { DEFAULT_FUSION, fuseRankings, validateFusionOptions, weightsFromVectorShare } from "./fusion.js";

const keys = (items: { key: string }[]) => items.map((item) => item.key);

describe("fuseRankings", () => {
  const vector = ["a", "b", "c"];
  const fullText = ["b", "d", "a"];

  it("with k 60 and equal weights scores as LanceDB's RRF reranker, ranks counted from 0", () => {
    const fused = fuseRankings(
      [
        { keys: vector, weight: 1 },
        { keys: fullText, weight: 1 },
      ],
      60,
    );
    expect(keys(fused)).toEqual(["b", "a", "d", "c"]);
    expect(fused[0]!.score).toBeCloseTo(1 / 61 + 1 / 60, 12);
    expect(fused[1]!.score).toBeCloseTo(1 / 60 + 1 / 62, 12);
    expect(fused[2]!.score).toBeCloseTo(1 / 61, 12);
    expect(fused[3]!.score).toBeCloseTo(1 / 62, 12);
  });

  it("lets the heavier ranking decide", () => {
    const vectorHeavy = fuseRankings(
      [
        { keys: vector, weight: 2 },
        { keys: fullText, weight: 1 },
      ],
      1,
    );
    // a: 2/1 + 1/3, b: 2/2 + 1/1, c: 2/3, d: 1/2
    expect(keys(vectorHeavy)).toEqual(["a", "b", "c", "d"]);
    const textHeavy = fuseRankings(
      [
        { keys: vector, weight: 0.2 },
        { keys: fullText, weight: 1.8 },
      ],
      1,
    );
    // a: 0.2 + 0.6, b: 0.1 + 1.8, c: 0.2/3, d: 0.9
    expect(keys(textHeavy)).toEqual(["b", "d", "a", "c"]);
  });

  it("keeps an item of a zero-weight ranking, behind every scored one", () => {
    const fused = fuseRankings(
      [
        { keys: vector, weight: 1 },
        { keys: fullText, weight: 0 },
      ],
      60,
    );
    expect(keys(fused)).toEqual(["a", "b", "c", "d"]);
    expect(fused[3]!.score).toBe(0);
  });

  it("breaks ties by first appearance, the first ranking's items first", () => {
    expect(
      keys(
        fuseRankings(
          [
            { keys: ["x"], weight: 1 },
            { keys: ["y"], weight: 1 },
          ],
          60,
        ),
      ),
    ).toEqual(["x", "y"]);
    expect(
      keys(
        fuseRankings(
          [
            { keys: ["y"], weight: 1 },
            { keys: ["x"], weight: 1 },
          ],
          60,
        ),
      ),
    ).toEqual(["y", "x"]);
  });

  it("counts a key repeated in one ranking once, at its first position", () => {
    const fused = fuseRankings([{ keys: ["a", "a", "b"], weight: 1 }], 10);
    expect(fused).toEqual([
      { key: "a", score: 1 / 10 },
      { key: "b", score: 1 / 12 },
    ]);
  });

  it("returns nothing for empty rankings", () => {
    expect(fuseRankings([], 60)).toEqual([]);
    expect(
      fuseRankings(
        [
          { keys: [], weight: 1 },
          { keys: [], weight: 1 },
        ],
        60,
      ),
    ).toEqual([]);
  });
});

describe("weightsFromVectorShare", () => {
  it("splits a share between the two sides, 0.5 giving the default weights", () => {
    expect(weightsFromVectorShare(0.5)).toEqual({ vectorWeight: 1, fullTextWeight: 1 });
    expect(weightsFromVectorShare(0.25)).toEqual({ vectorWeight: 0.5, fullTextWeight: 1.5 });
    expect(weightsFromVectorShare(1)).toEqual({ vectorWeight: 2, fullTextWeight: 0 });
  });

  it("refuses a share outside 0..1", () => {
    expect(() => weightsFromVectorShare(1.5)).toThrow(/from 0 to 1, got 1.5/);
    expect(() => weightsFromVectorShare(Number.NaN)).toThrow(/from 0 to 1/);
  });
});

describe("validateFusionOptions", () => {
  it("accepts the defaults", () => {
    expect(validateFusionOptions(DEFAULT_FUSION)).toEqual({ k: 60, vectorWeight: 1, fullTextWeight: 1 });
  });

  it.each([
    [{ ...DEFAULT_FUSION, k: 0 }, "fusion.k"],
    [{ ...DEFAULT_FUSION, k: Number.NaN }, "fusion.k"],
    [{ ...DEFAULT_FUSION, vectorWeight: -1 }, "fusion.vectorWeight"],
    [{ ...DEFAULT_FUSION, fullTextWeight: Number.POSITIVE_INFINITY }, "fusion.fullTextWeight"],
    [{ k: 60, vectorWeight: 0, fullTextWeight: 0 }, "must not both be 0"],
  ])("refuses %o naming %s", (options, field) => {
    let caught: unknown;
    try {
      validateFusionOptions(options);
    } catch (error) {
      caught = error;
    }
    expect(isZhikuError(caught, "invalid:input")).toBe(true);
    expect((caught as Error).message).toContain(field);
  });
});
