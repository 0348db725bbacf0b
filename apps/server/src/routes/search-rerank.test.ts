import { Writable } from "node:stream";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import { listenOnLoopback } from "../testing/listen.js";
import { createTestServer, readEvents, type TestServer } from "../testing/test-server.js";

// The fused order puts the passage that repeats "failover" first; the stand-in's (lexical) reranker puts the one
// holding more of the question's words first.
const documents: Record<string, string> = {
  "redis-intro.md":
    "# Redis\n\nRedis failover Redis failover failover. Failover happens in Redis when the primary fails; failover again.\n",
  "replicas.md":
    "# Replicas\n\nA replica takes over: promotion of a replica makes it the new primary of the cluster.\n",
  "kafka.md": "# Kafka\n\nKafka partitions a topic; consumers in a group share the partitions.\n",
};
const question = "Redis failover replica promotion cluster";

interface Hit {
  documentName: string;
  chunkId: string;
  rerankScore?: number;
}

interface Rerank {
  applied: boolean;
  model: string;
  fallbackReason?: string;
}

/** A pino logger whose lines are collected, parsed. */
function collectingLogger() {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  return {
    logger: createLogger("info", { destination }),
    lines: () =>
      chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as { level: number; msg: string; reason?: string }),
  };
}

describe("reranking through the API", () => {
  let server: TestServer | undefined;
  let reranker: StandInOllama | undefined;

  const start = async (environment: Record<string, string>, logger = collectingLogger()) => {
    server = await createTestServer({ environment, logger: logger.logger });
    for (const [name, text] of Object.entries(documents)) {
      await server.deps.kb.ingest({ workspace: "docs", name, bytes: new TextEncoder().encode(text) });
    }
    await server.deps.kb.optimize("docs");
    return { server, logger };
  };

  const search = async (body: Record<string, unknown>) => {
    const response = await server!.request("/api/workspaces/docs/search", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: question, limit: 2, ...body }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { results: Hit[]; mode: string; rerank?: Rerank };
  };

  afterEach(async () => {
    await server?.close();
    await reranker?.close();
    server = undefined;
    reranker = undefined;
  });

  it("answers search without a rerank summary when no reranker is configured", async () => {
    await start({});
    const body = await search({});
    expect(body.rerank).toBeUndefined();
    expect(body.results.every((hit) => hit.rerankScore === undefined)).toBe(true);
  });

  it("returns the reranker's order with rerankScore and the summary in search JSON", async () => {
    reranker = await startStandInOllama();
    await start({ RERANK_URL: reranker.url, RERANK_MODEL: "bge-reranker-v2-m3" });
    const fused = await search({ rerank: false });
    expect(fused.rerank).toBeUndefined();
    expect(fused.results[0]?.documentName).toBe("redis-intro.md");

    const body = await search({});
    expect(body.mode).toBe("hybrid");
    expect(body.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
    expect(body.results).toHaveLength(2);
    expect(body.results[0]?.documentName).toBe("replicas.md");
    const scores = body.results.map((hit) => hit.rerankScore ?? Number.NaN);
    expect(scores.every((score) => score >= 0 && score <= 1)).toBe(true);
    expect(scores[0]).toBeGreaterThanOrEqual(scores[1] ?? 1);
    expect(reranker.requests.filter((request) => request.path === "/v1/rerank")).toHaveLength(1);
  });

  it("sends the rerank summary and each source's rerankScore in chat's sources event and JSON answer", async () => {
    reranker = await startStandInOllama();
    const { server } = await start({ RERANK_URL: reranker.url });
    const post = (accept: string) =>
      server.request("/api/workspaces/docs/chat", {
        method: "POST",
        headers: { "content-type": "application/json", accept },
        body: JSON.stringify({ message: question }),
      });
    const events = await readEvents(await post("text/event-stream"), (event) => event.event === "done");
    expect(events[0]?.event).toBe("sources");
    const sourcesEvent = JSON.parse(events[0]?.data ?? "{}") as {
      sources: (Hit & { index: number })[];
      rerank?: Rerank;
    };
    // RERANK_MODEL defaults to bge-reranker-v2-m3 when only RERANK_URL is set.
    expect(sourcesEvent.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
    expect(sourcesEvent.sources[0]).toMatchObject({ index: 1, documentName: "replicas.md" });
    expect(sourcesEvent.sources.length).toBeGreaterThan(0);
    for (const source of sourcesEvent.sources) expect(typeof source.rerankScore).toBe("number");

    const json = (await (await post("application/json")).json()) as {
      sources: Hit[];
      rerank?: Rerank;
    };
    expect(json.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
    expect(json.sources.map((source) => source.chunkId)).toEqual(
      sourcesEvent.sources.map((source) => source.chunkId),
    );
  });

  it("reports the reranker's order in the MCP search tool and the OpenAI-compatible sources", async () => {
    reranker = await startStandInOllama();
    const { server } = await start({ RERANK_URL: reranker.url });
    const listener = await listenOnLoopback(server.app);
    const client = new Client({ name: "zhiku-test", version: "1.0.0" });
    try {
      await client.connect(
        new StreamableHTTPClientTransport(new URL(`${listener.baseUrl}/mcp`), {
          requestInit: { headers: { Authorization: `Bearer ${server.admin.apiKey}` } },
        }),
      );
      const called = await client.callTool({
        name: "search",
        arguments: { workspace: "docs", query: question, limit: 2 },
      });
      const found = called.structuredContent as {
        rerank?: Rerank;
        passages: { document: string; rerankScore?: number }[];
      };
      expect(found.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
      expect(found.passages[0]?.document).toBe("replicas.md");
      for (const passage of found.passages) expect(typeof passage.rerankScore).toBe("number");
    } finally {
      await client.close();
      await listener.close();
    }

    const completion = await server.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "docs", messages: [{ role: "user", content: question }] }),
    });
    expect(completion.status).toBe(200);
    const body = (await completion.json()) as { sources: Hit[]; rerank?: Rerank };
    expect(body.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
    expect(body.sources[0]?.documentName).toBe("replicas.md");
  });

  it("refuses in query mode when the reranker scores every passage under 0.5, whatever their cosine", async () => {
    reranker = await startStandInOllama();
    const { server } = await start({ RERANK_URL: reranker.url });
    const offTopic = "Kafka consumer lag monitoring dashboards and alerting";
    // A manual cut-off low enough that the cosine would let the Kafka passage through.
    const { refusal } = server.deps.kb.updateWorkspace("docs", { settings: { relevanceCutoff: 0.2 } });
    const fused = (await (
      await server.request("/api/workspaces/docs/search", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: offTopic, limit: 3, rerank: false }),
      })
    ).json()) as { results: { documentName: string; relevance: number | null }[] };
    // By its cosine alone the Kafka passage would be good enough to answer from ...
    expect(fused.results[0]?.documentName).toBe("kafka.md");
    expect(fused.results[0]?.relevance).toBeGreaterThanOrEqual(refusal.cutoff);
    const reranked = await search({ query: offTopic, limit: 3 });
    expect(reranked.results.every((hit) => (hit.rerankScore ?? 1) < 0.5)).toBe(true);
    // ... but the reranker's score decides, and no passage reaches 0.5.
    const response = await server.request("/api/workspaces/docs/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: offTopic, mode: "query" }),
    });
    const answer = (await response.json()) as { answer: string; sources: unknown[]; rerank?: Rerank };
    expect(answer.sources).toEqual([]);
    expect(answer.answer).toMatch(/could not find anything relevant/);
    expect(answer.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
  });

  it("falls back to the fused order when the reranker is down, says so, and logs one warning per outage", async () => {
    reranker = await startStandInOllama({ failures: { rerank: { status: 503, times: 3 } } });
    const { server, logger } = await start({ RERANK_URL: reranker.url, RERANK_TIMEOUT_MS: "2000" });
    const fused = await search({ rerank: false });
    const first = await search({});
    expect(first.rerank).toMatchObject({ applied: false, model: "bge-reranker-v2-m3" });
    expect(first.rerank?.fallbackReason).toContain("answered 503");
    expect(first.results.map((hit) => hit.documentName)).toEqual(
      fused.results.map((hit) => hit.documentName),
    );
    expect(first.results.every((hit) => hit.rerankScore === undefined)).toBe(true);

    const events = await readEvents(
      await server.request("/api/workspaces/docs/chat", {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify({ message: question }),
      }),
      (event) => event.event === "done",
    );
    const sourcesEvent = JSON.parse(events[0]?.data ?? "{}") as { rerank?: Rerank };
    expect(sourcesEvent.rerank).toMatchObject({
      applied: false,
      fallbackReason: expect.stringContaining("503"),
    });
    expect(events.at(-1)?.event).toBe("done");

    await search({});
    // The stand-in fails three requests, then answers again.
    const recovered = await search({});
    expect(recovered.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });

    const rerankLines = logger.lines().filter((line) => line.msg.includes("reranker"));
    expect(rerankLines.map((line) => line.level)).toEqual([40, 30]);
    expect(rerankLines[0]?.reason).toContain("answered 503");
  });

  it("falls back when the reranker is slower than RERANK_TIMEOUT_MS", async () => {
    reranker = await startStandInOllama({ rerankLatencyMs: 2_000 });
    await start({ RERANK_URL: reranker.url, RERANK_TIMEOUT_MS: "100" });
    const body = await search({});
    expect(body.rerank).toEqual({
      applied: false,
      model: "bge-reranker-v2-m3",
      fallbackReason: expect.stringContaining("no answer within 100 ms"),
    });
    expect(body.results.map((hit) => hit.documentName)).toEqual(
      (await search({ rerank: false, limit: 6 })).results.slice(0, 2).map((hit) => hit.documentName),
    );
  });
});
