import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { relevanceScore, type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/index.js";
import { type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import { createHttpReranker } from "./http-reranker.js";
import { rerankCandidates, rerankText } from "./rerank-results.js";

// Full text and the (lexical) vectors favour the passage that repeats one query word; the stand-in's reranker favours
// the one that holds more of the query's words: the two orders differ.
const documents: Record<string, string> = {
  "redis-intro.md":
    "# Redis\n\nRedis failover Redis failover failover. Failover happens in Redis when the primary fails; failover again.\n",
  "replicas.md":
    "# Replicas\n\nA replica takes over: promotion of a replica makes it the new primary of the cluster.\n",
  "kafka.md": "# Kafka\n\nKafka partitions a topic; consumers in a group share the partitions.\n",
  "nginx.md": "# Nginx\n\nNginx proxies requests to upstream servers and balances the load.\n",
  "postgres.md": "# Postgres\n\nPostgres streaming replication ships WAL to standby servers.\n",
};
const query = "Redis failover replica promotion cluster";

/** The fused order of the candidates a reranker would have seen for `limit` results, cut to `limit`. */
async function fusedOrder(knowledgeBase: KnowledgeBase, limit: number) {
  const response = await knowledgeBase.search({
    workspace: "ops",
    query,
    limit: rerankCandidates(limit),
    rerank: false,
  });
  return response.results.slice(0, limit);
}

describe("the retriever with a reranker", () => {
  let standIn: StandInOllama;
  let dataDir: string;
  const open: KnowledgeBase[] = [];

  const openWith = async (rerankUrl?: string, timeoutMs?: number) => {
    const knowledgeBase = await openKnowledgeBase({
      dataDir,
      embedder: createOllamaEmbedder({ host: standIn.url, model: "bge-m3" }),
      ...(rerankUrl === undefined
        ? {}
        : {
            reranker: createHttpReranker({
              url: rerankUrl,
              model: "bge-reranker-v2-m3",
              ...(timeoutMs === undefined ? {} : { timeoutMs }),
            }),
          }),
    });
    open.push(knowledgeBase);
    return knowledgeBase;
  };

  beforeAll(async () => {
    standIn = await startStandInOllama({ embeddingDimension: 64 });
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-retriever-"));
    const knowledgeBase = await openWith();
    for (const [name, text] of Object.entries(documents)) {
      await knowledgeBase.ingest({ workspace: "ops", name, bytes: new TextEncoder().encode(text) });
    }
    await knowledgeBase.optimize("ops");
  });

  afterAll(async () => {
    for (const knowledgeBase of open) await knowledgeBase.close();
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("reorders the fused candidates by the reranker's score, with rerankScore on each hit", async () => {
    const knowledgeBase = await openWith(standIn.url);
    const unranked = await knowledgeBase.search({ workspace: "ops", query, limit: 3, rerank: false });
    expect(unranked.rerank).toBeUndefined();
    expect(unranked.results.every((result) => result.rerankScore === undefined)).toBe(true);

    const before = standIn.requests.filter((request) => request.path === "/v1/rerank").length;
    const reranked = await knowledgeBase.search({ workspace: "ops", query, limit: 3 });
    expect(reranked.mode).toBe("hybrid");
    expect(reranked.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
    expect(reranked.results).toHaveLength(3);
    for (const result of reranked.results) expect(typeof result.rerankScore).toBe("number");

    // The reranker saw more candidates than asked for (all five passages here, as fewer than 20 exist) ...
    const requests = standIn.requests.filter((request) => request.path === "/v1/rerank");
    expect(requests).toHaveLength(before + 1);
    const sent = requests.at(-1)?.body as { query: string; documents: string[]; top_n: number };
    expect(sent.query).toBe(query);
    expect(sent.documents).toHaveLength(Math.min(rerankCandidates(3), Object.keys(documents).length));
    // ... each read with its heading path ...
    expect(sent.documents.some((document) => document.startsWith("Replicas\n"))).toBe(true);
    // ... and the results are the best three by its score, which is not the fused order.
    const fused = await fusedOrder(knowledgeBase, 20);
    const byScore = fused
      .map((result) => ({ chunkId: result.chunkId, score: relevanceScore(query, rerankText(result)) }))
      .sort((left, right) => right.score - left.score);
    expect(reranked.results.map((result) => result.chunkId)).toEqual(
      byScore.slice(0, 3).map((entry) => entry.chunkId),
    );
    expect(reranked.results.map((result) => result.rerankScore)).toEqual(
      byScore.slice(0, 3).map((entry) => entry.score),
    );
    expect(fused[0]?.documentName).toBe("redis-intro.md");
    expect(reranked.results[0]?.documentName).toBe("replicas.md");
  });

  it("keeps the fused order and says why when the reranker is down", async () => {
    const gone = await startStandInOllama();
    const goneUrl = gone.url;
    await gone.close();
    const knowledgeBase = await openWith(goneUrl);
    const response = await knowledgeBase.search({ workspace: "ops", query, limit: 3 });
    expect(response.rerank).toMatchObject({ applied: false, model: "bge-reranker-v2-m3" });
    expect(response.rerank?.fallbackReason).toMatch(/^Reranker at .*\/v1\/rerank: not reachable$/);
    expect(response.results).toEqual(await fusedOrder(knowledgeBase, 3));
  });

  it("keeps the fused order when the reranker answers later than its timeout", async () => {
    const slow = await startStandInOllama({ rerankLatencyMs: 1_500 });
    try {
      const knowledgeBase = await openWith(slow.url, 100);
      const response = await knowledgeBase.search({ workspace: "ops", query, limit: 3 });
      expect(response.rerank).toEqual({
        applied: false,
        model: "bge-reranker-v2-m3",
        fallbackReason: expect.stringContaining("no answer within 100 ms"),
      });
      expect(response.results).toEqual(await fusedOrder(knowledgeBase, 3));
    } finally {
      await slow.close();
    }
  });
});
