import { describe, expect, it } from "vitest";
import { applyRelevanceCutoff, DEFAULT_RELEVANCE_CUTOFF } from "./relevance.js";

describe("applyRelevanceCutoff", () => {
  const results = [{ relevance: 0.8 }, { relevance: 0.2 }, { relevance: null }, { relevance: 0.35 }];

  it("keeps passages at or above the cut-off and full-text-only hits", () => {
    expect(applyRelevanceCutoff(results, DEFAULT_RELEVANCE_CUTOFF)).toEqual([
      { relevance: 0.8 },
      { relevance: null },
      { relevance: 0.35 },
    ]);
  });

  it("keeps everything with a cut-off of 0, as a copy", () => {
    const kept = applyRelevanceCutoff(results, 0);
    expect(kept).toEqual(results);
    expect(kept).not.toBe(results);
  });

  it("refuses everything with vectors when nothing reaches the cut-off", () => {
    expect(applyRelevanceCutoff([{ relevance: 0.1 }, { relevance: 0.3 }], 0.5)).toEqual([]);
  });
});
