import { describe, expect, it } from "vitest";
import { needsCalibration } from "./calibrate-relevance.js";
import {
  coverageWords,
  cutoffAbove,
  DEFAULT_RELEVANCE_CUTOFF,
  keepRelevant,
  queryCoverage,
  type RelevanceCalibration,
  type RelevanceCutoffs,
  relevanceCutoffs,
} from "./relevance.js";
import { summarizeScores } from "./score-distribution.js";

function calibration(model: string, vector: number[], fullText: number[]): RelevanceCalibration {
  return {
    model,
    chunks: 100,
    probes: vector.length,
    pairs: vector.length * 100,
    vector: summarizeScores(vector),
    fullText: summarizeScores(fullText),
    measuredAt: "2026-01-01T00:00:00.000Z",
  };
}

const passage = (fields: {
  text: string;
  relevance: number | null;
  fullTextScore?: number | null;
  rerankScore?: number | null;
}) => ({ headings: [] as string[], ...fields });

describe("summarizeScores", () => {
  it("gives the mean, sample deviation, median, robust deviation, 90th percentile and maximum", () => {
    const summary = summarizeScores([0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]);
    expect(summary.count).toBe(10);
    expect(summary.mean).toBeCloseTo(0.55, 10);
    expect(summary.sd).toBeCloseTo(0.30277, 4);
    expect(summary.median).toBeCloseTo(0.55, 10);
    // Deviations from 0.55: 0.05 0.05 0.15 0.15 … → median 0.25.
    expect(summary.robustSd).toBeCloseTo(1.4826 * 0.25, 10);
    expect(summary.p90).toBe(0.9);
    expect(summary.max).toBe(1.0);
  });

  it("is barely moved by one outlier, unlike the mean and deviation", () => {
    const calm = summarizeScores([0.3, 0.31, 0.32, 0.33, 0.34, 0.35, 0.36]);
    const withOutlier = summarizeScores([0.3, 0.31, 0.32, 0.33, 0.34, 0.35, 0.95]);
    expect(cutoffAbove(withOutlier)).toBeCloseTo(cutoffAbove(calm), 10);
    expect(withOutlier.sd).toBeGreaterThan(calm.sd * 5);
  });

  it("refuses an empty sample", () => {
    expect(() => summarizeScores([])).toThrow(/no scores/);
  });
});

describe("relevanceCutoffs", () => {
  const lexical = calibration("bge-m3", [0.1, 0.2, 0.3, 0.2, 0.25], [5, 10, 15, 10, 12]);

  it("derives the cut-off from the calibration of the workspace's model: median + 2 robust deviations", () => {
    const cutoffs = relevanceCutoffs({ embedModel: "bge-m3", settings: {}, relevanceCalibration: lexical });
    expect(cutoffs.source).toBe("calibrated");
    expect(cutoffs.cutoff).toBeCloseTo(0.2 + 2 * 1.4826 * 0.05, 10);
    expect(cutoffs.fullTextCutoff).toBeCloseTo(10 + 2 * 1.4826 * 2, 10);
    expect(cutoffs.calibration).toBe(lexical);
  });

  it("moves with the model's scale: a cone-shaped model's scores, shifted and squeezed, give the same decisions", () => {
    // Another model mapping every cosine c to 0.5 + 0.4c (unrelated texts around 0.5, as many real models).
    const squeeze = (score: number) => 0.5 + 0.4 * score;
    const cone = calibration(
      "nomic-embed-text",
      [0.1, 0.2, 0.3, 0.2, 0.25].map(squeeze),
      [5, 10, 15, 10, 12],
    );
    const flat = relevanceCutoffs({ embedModel: "bge-m3", settings: {}, relevanceCalibration: lexical });
    const narrow = relevanceCutoffs({
      embedModel: "nomic-embed-text",
      settings: {},
      relevanceCalibration: cone,
    });
    expect(narrow.cutoff).toBeCloseTo(squeeze(flat.cutoff), 10);
    const candidates = [0.05, 0.3, 0.4, 0.6, 0.9];
    const kept = (cutoffs: RelevanceCutoffs, scale: (score: number) => number) =>
      keepRelevant(
        candidates.map((score) => passage({ text: "unrelated words", relevance: scale(score) })),
        { query: "a question", cutoffs },
      ).length;
    expect(kept(narrow, squeeze)).toBe(kept(flat, (score) => score));
    expect(kept(flat, (score) => score)).toBe(3);
  });

  it("ignores a calibration of another model and falls back to the documented default", () => {
    const cutoffs = relevanceCutoffs({
      embedModel: "nomic-embed-text",
      settings: {},
      relevanceCalibration: lexical,
    });
    expect(cutoffs).toEqual({
      cutoff: DEFAULT_RELEVANCE_CUTOFF,
      fullTextCutoff: null,
      source: "default",
      calibration: null,
    });
  });

  it("lets the manual setting override the calibrated cosine cut-off, keeping the full-text one", () => {
    const cutoffs = relevanceCutoffs({
      embedModel: "bge-m3",
      settings: { relevanceCutoff: 0.6 },
      relevanceCalibration: lexical,
    });
    expect(cutoffs.source).toBe("manual");
    expect(cutoffs.cutoff).toBe(0.6);
    expect(cutoffs.fullTextCutoff).toBeCloseTo(10 + 2 * 1.4826 * 2, 10);
  });
});

describe("queryCoverage", () => {
  it("counts a question's words without single Han characters", () => {
    expect(coverageWords("备用柴油发电机的额定容量是多少")).not.toContain("的");
    expect(coverageWords("锁")).toEqual(["锁"]);
  });

  it("leaves out question scaffolding: the words the off-topic probe questions use", () => {
    expect(coverageWords("Does Redis roll back a transaction?")).toEqual([
      "redis",
      "roll",
      "back",
      "transaction",
    ]);
    expect(coverageWords("什么是 TLAB？为什么对象优先分配？")).not.toContain("什么");
    // A question of scaffolding alone keeps its words.
    expect(coverageWords("How many?")).toEqual(["how", "many"]);
  });

  it("is the share of the question's topic words the passage's heading path and text contain", () => {
    const words = coverageWords("Does Redis roll back a transaction?");
    expect(
      queryCoverage(words, { headings: ["Redis"], text: "A transaction is not rolled back." }),
    ).toBeCloseTo(3 / 4, 10);
    expect(queryCoverage([], { headings: [], text: "anything" })).toBe(0);
  });
});

describe("keepRelevant", () => {
  const calibrated: RelevanceCutoffs = {
    cutoff: 0.5,
    fullTextCutoff: 20,
    source: "calibrated",
    calibration: null,
  };
  const query = "每台备用柴油发电机的额定容量是多少";
  const answer = "每台备用柴油发电机的额定容量为 800 kW。";

  it("never drops a strong full-text match, whatever its cosine", () => {
    const kept = keepRelevant([passage({ text: answer, relevance: 0.1, fullTextScore: 31 })], {
      query,
      cutoffs: calibrated,
    });
    expect(kept).toHaveLength(1);
  });

  it("drops a full-text match under the calibrated BM25, or one holding too few of the question's words", () => {
    const fewWords = passage({ text: "机房的容量规划见附录。", relevance: 0.1, fullTextScore: 40 });
    const underChance = passage({ text: answer, relevance: 0.1, fullTextScore: 12 });
    expect(keepRelevant([fewWords, underChance], { query, cutoffs: calibrated })).toEqual([]);
  });

  it("keeps full text's best passage under the calibrated BM25 when it holds most of the question's words", () => {
    const short = passage({
      text: "When Redis receives SIGTERM, it shuts down.",
      relevance: 0.1,
      fullTextScore: 9,
    });
    const other = passage({ text: "Redis replies to PING.", relevance: 0.1, fullTextScore: 4 });
    expect(
      keepRelevant([other, short], {
        query: "What happens when Redis receives SIGTERM?",
        cutoffs: calibrated,
      }),
    ).toEqual([short]);
  });

  it("without a calibration takes the word share of any full-text match", () => {
    const uncalibrated: RelevanceCutoffs = {
      cutoff: DEFAULT_RELEVANCE_CUTOFF,
      fullTextCutoff: null,
      source: "default",
      calibration: null,
    };
    expect(
      keepRelevant([passage({ text: answer, relevance: null, fullTextScore: 3 })], {
        query,
        cutoffs: uncalibrated,
      }),
    ).toHaveLength(1);
    // Not found by full text at all: only the cosine counts.
    expect(
      keepRelevant([passage({ text: answer, relevance: 0.2, fullTextScore: null })], {
        query,
        cutoffs: uncalibrated,
      }),
    ).toEqual([]);
  });

  it("keeps passages at or above the cosine cut-off, in order, and refuses when none reaches it", () => {
    const results = [
      passage({ text: "a", relevance: 0.8 }),
      passage({ text: "b", relevance: 0.2 }),
      passage({ text: "c", relevance: 0.5 }),
    ];
    expect(
      keepRelevant(results, { query: "x y z", cutoffs: calibrated }).map((result) => result.text),
    ).toEqual(["a", "c"]);
    expect(keepRelevant(results.slice(1, 2), { query: "x y z", cutoffs: calibrated })).toEqual([]);
  });

  it("prefers a reranker's score over the cosine when there is one", () => {
    const results = [
      passage({ text: "high cosine, low rerank", relevance: 0.9, rerankScore: 0.1 }),
      passage({ text: "low cosine, high rerank", relevance: 0.1, rerankScore: 0.8 }),
      passage({ text: "no rerank score", relevance: 0.9, rerankScore: null }),
    ];
    expect(
      keepRelevant(results, { query: "x y z", cutoffs: calibrated }).map((result) => result.text),
    ).toEqual(["low cosine, high rerank", "no rerank score"]);
  });

  it("keeps everything, as a copy, when the cut-off is 0", () => {
    const results = [passage({ text: "a", relevance: -0.2 }), passage({ text: "b", relevance: null })];
    const kept = keepRelevant(results, { query: "x", cutoffs: { ...calibrated, cutoff: 0 } });
    expect(kept).toEqual(results);
    expect(kept).not.toBe(results);
  });
});

describe("needsCalibration", () => {
  const measured = calibration("bge-m3", [0.2, 0.3], [10, 12]);

  it("asks for a measurement when there is none, of another model, or the workspace doubled or halved", () => {
    expect(needsCalibration(null, { model: "bge-m3", chunks: 10 })).toBe(true);
    expect(needsCalibration(measured, { model: "nomic-embed-text", chunks: 100 })).toBe(true);
    expect(needsCalibration(measured, { model: "bge-m3", chunks: 199 })).toBe(false);
    expect(needsCalibration(measured, { model: "bge-m3", chunks: 200 })).toBe(true);
    expect(needsCalibration(measured, { model: "bge-m3", chunks: 51 })).toBe(false);
    expect(needsCalibration(measured, { model: "bge-m3", chunks: 50 })).toBe(true);
  });
});
