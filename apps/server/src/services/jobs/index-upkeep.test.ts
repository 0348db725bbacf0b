import type { KnowledgeBase } from "@zhiku/ingest";
import { describe, expect, it } from "vitest";
import { createLogger } from "../../logger.js";
import { IndexUpkeep } from "./index-upkeep.js";

/** A knowledge base whose folds end only when `finish(slug)` is called; it records what was asked of it. */
function slowKnowledgeBase() {
  const calls: string[] = [];
  const folds = new Map<string, () => void>();
  const kb = {
    optimize: (slug: string) => {
      calls.push(`optimize ${slug}`);
      return new Promise<void>((resolve) => folds.set(slug, resolve));
    },
    refreshRelevanceCalibration: async (slug: string) => {
      calls.push(`calibrate ${slug}`);
    },
  } as unknown as KnowledgeBase;
  return { kb, calls, finish: (slug: string) => folds.get(slug)?.() };
}

describe("IndexUpkeep", () => {
  it("folds each touched workspace, then refreshes its calibration", async () => {
    const { kb, calls, finish } = slowKnowledgeBase();
    const upkeep = new IndexUpkeep({ kb, logger: createLogger("silent") });
    upkeep.touch("a");
    const settled = new Promise<void>((resolve) => upkeep.runNow(resolve));
    expect(upkeep.pending).toBe(true);
    finish("a");
    await settled;
    expect(calls).toEqual(["optimize a", "calibrate a"]);
    expect(upkeep.pending).toBe(false);
  });

  it("stops waiting for a fold at close after the grace period, and starts nothing more", async () => {
    const { kb, calls, finish } = slowKnowledgeBase();
    const upkeep = new IndexUpkeep({ kb, logger: createLogger("silent") });
    upkeep.touch("a");
    upkeep.touch("b");
    const settled = new Promise<void>((resolve) => upkeep.runNow(resolve));
    const started = performance.now();
    const outcome = await upkeep.close({ graceMs: 100 });
    expect(performance.now() - started).toBeLessThan(5_000);
    // The fold of "a" still runs; "b" was never started, and both are owed.
    expect(outcome).toEqual({ settled: false, owed: ["a", "b"] });
    finish("a");
    await settled;
    expect(calls).toEqual(["optimize a"]);
    upkeep.touch("c");
    upkeep.runNow(() => {});
    expect(calls).toEqual(["optimize a"]);
  });

  it("settles at close when the fold ends within the grace period", async () => {
    const { kb, calls, finish } = slowKnowledgeBase();
    const upkeep = new IndexUpkeep({ kb, logger: createLogger("silent") });
    upkeep.touch("a");
    upkeep.runNow(() => {});
    setTimeout(() => finish("a"), 20);
    expect(await upkeep.close({ graceMs: 5_000 })).toEqual({ settled: true, owed: [] });
    // A calibration would only delay the stop: the next fold refreshes it.
    expect(calls).toEqual(["optimize a"]);
  });
});
