import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createHttpReranker } from "./http-reranker.js";
import { watchReranker } from "./reranker-watch.js";

describe("watchReranker", () => {
  let standIn: StandInOllama;

  beforeEach(async () => {
    standIn = await startStandInOllama({ failures: { rerank: { status: 503, times: 3 } } });
  });

  afterEach(async () => {
    await standIn.close();
  });

  it("reports one outage for a run of failures, and the recovery once", async () => {
    const events: string[] = [];
    const reranker = watchReranker(createHttpReranker({ url: standIn.url, model: "bge-reranker-v2-m3" }), {
      onDown: (reason) => events.push(`down: ${reason}`),
      onUp: () => events.push("up"),
    });
    const outcomes: string[] = [];
    for (let attempt = 0; attempt < 5; attempt++) {
      outcomes.push(
        await reranker.rerank("AOF", ["AOF rewrite", "RDB"]).then(
          (scores) => `ranked ${scores.length}`,
          () => "failed",
        ),
      );
    }
    expect(outcomes).toEqual(["failed", "failed", "failed", "ranked 2", "ranked 2"]);
    expect(events).toHaveLength(2);
    expect(events[0]).toMatch(/^down: Reranker at .*\/v1\/rerank: answered 503/);
    expect(events[1]).toBe("up");
    expect(reranker.model).toBe("bge-reranker-v2-m3");
  });

  it("does not count the caller's abort as an outage", async () => {
    const events: string[] = [];
    await standIn.close();
    standIn = await startStandInOllama({ rerankLatencyMs: 2_000 });
    const reranker = watchReranker(createHttpReranker({ url: standIn.url, model: "m" }), {
      onDown: (reason) => events.push(`down: ${reason}`),
      onUp: () => events.push("up"),
    });
    const controller = new AbortController();
    const pending = reranker.rerank("AOF", ["AOF"], { signal: controller.signal });
    controller.abort();
    await expect(pending).rejects.toThrow();
    expect(events).toEqual([]);
  });
});
