import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { createHttpReranker } from "./http-reranker.js";
import { rerankCandidates, rerankResults } from "./rerank-results.js";

const passages = [
  { text: "Redis persists data with RDB snapshots." },
  { text: "复制算法把内存分成两块，每次只使用其中一块。" },
  { text: "AOF logs every write; an AOF rewrite compacts the log." },
];

describe("the HTTP reranker against the stand-in's /v1/rerank", () => {
  let standIn: StandInOllama;

  beforeEach(async () => {
    standIn = await startStandInOllama();
  });

  afterEach(async () => {
    await standIn.close();
  });

  it("reorders fused results by the reranker's scores and keeps the limit", async () => {
    const reranker = createHttpReranker({ url: standIn.url, model: "bge-reranker-v2-m3" });
    const outcome = await rerankResults({ query: "AOF rewrite log", results: passages, reranker, limit: 2 });
    expect(outcome.reranked).toBe(true);
    expect(outcome.results).toHaveLength(2);
    expect(outcome.results[0]?.text).toContain("AOF rewrite");
    expect(outcome.results[0]?.rerankScore).toBeGreaterThan(outcome.results[1]?.rerankScore ?? 1);
    const request = standIn.requests.find((entry) => entry.path === "/v1/rerank");
    expect(request?.body).toMatchObject({ model: "bge-reranker-v2-m3", query: "AOF rewrite log", top_n: 3 });
  });

  it("keeps the fused order and says why when the reranker fails or is too slow", async () => {
    await standIn.close();
    standIn = await startStandInOllama({ failures: { rerank: { status: 503, times: 1 } } });
    const failing = createHttpReranker({ url: standIn.url, model: "bge-reranker-v2-m3" });
    const failed = await rerankResults({ query: "AOF", results: passages, reranker: failing, limit: 3 });
    expect(failed.reranked).toBe(false);
    expect(failed.results.map((result) => result.text)).toEqual(passages.map((passage) => passage.text));
    expect(failed.results.every((result) => result.rerankScore === undefined)).toBe(true);
    expect(failed.rerankError).toContain("503");

    await standIn.close();
    standIn = await startStandInOllama({ rerankLatencyMs: 500 });
    const slow = createHttpReranker({ url: standIn.url, model: "bge-reranker-v2-m3", timeoutMs: 50 });
    const error = await slow.rerank("AOF", ["a"]).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "unavailable:reranker")).toBe(true);
    expect((error as Error).message).toContain("no answer within 50 ms");
    const timedOut = await rerankResults({ query: "AOF", results: passages, reranker: slow, limit: 3 });
    expect(timedOut).toMatchObject({ reranked: false, rerankError: expect.stringContaining("50 ms") });
  });

  it("leaves results alone without a reranker and asks it for enough candidates", async () => {
    const outcome = await rerankResults({ query: "x", results: passages, reranker: undefined, limit: 2 });
    expect(outcome).toEqual({ results: passages.slice(0, 2), reranked: false });
    expect(rerankCandidates(5)).toBe(20);
    expect(rerankCandidates(10)).toBe(30);
    expect(rerankCandidates(100)).toBe(100);
  });
});
