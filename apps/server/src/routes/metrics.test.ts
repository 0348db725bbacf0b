import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createServerMetrics } from "../services/metrics/index.js";
import { createTestServer, filesForm, readEvents, type TestServer } from "../testing/test-server.js";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format into samples (comments skipped). */
function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line.length === 0 || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) throw new Error(`Not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const pair of (match[2] ?? "").matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]!] = pair[2]!;
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels`; 0 when there is none. */
function sampleValue(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  const found = samples.filter(
    (sample) =>
      sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (found.length > 1) throw new Error(`${found.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return found[0]?.value ?? 0;
}

const guide = (topic: string) =>
  `# ${topic}\n\n${Array.from({ length: 6 }, (_, index) => `The ${topic} note ${index} says to check the ${topic} weekly and log step ${index}.`).join("\n\n")}\n`;

describe("GET /api/metrics", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer();
    const created = await server.request("/api/workspaces", {
      method: "POST",
      body: JSON.stringify({ name: "Plant", slug: "plant" }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(201);
  });

  afterEach(async () => {
    await server.close();
  });

  const scrape = async () => {
    const response = await server.request("/api/metrics");
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    return parseMetrics(await response.text());
  };

  it("counts requests by route pattern, and tracks the queue, documents and ingestion outcomes", async () => {
    const before = await scrape();
    expect(sampleValue(before, "zhiku_documents", { status: "ready" })).toBe(0);
    expect(sampleValue(before, "zhiku_ingestion_queue_depth", { state: "queued" })).toBe(0);
    expect(sampleValue(before, "zhiku_ingestion_queue_depth", { state: "running" })).toBe(0);
    expect(
      sampleValue(before, "zhiku_http_requests_total", {
        method: "POST",
        route: "/api/workspaces",
        status: "201",
      }),
    ).toBe(1);

    // Slow embeddings: none of the three can finish before the scrape that follows the upload.
    server.standIn.setOptions({ latencyMs: 400 });
    const upload = await server.request("/api/workspaces/plant/documents?note=secret", {
      method: "POST",
      body: filesForm(
        ["pumps", "valves", "boilers"].map((topic) => ({ name: `${topic}.md`, content: guide(topic) })),
      ),
    });
    expect(upload.status).toBe(202);
    const busy = await scrape();
    expect(
      sampleValue(busy, "zhiku_ingestion_queue_depth", { state: "queued" }) +
        sampleValue(busy, "zhiku_ingestion_queue_depth", { state: "running" }),
    ).toBe(3);
    expect(
      sampleValue(busy, "zhiku_documents", { status: "queued" }) +
        sampleValue(busy, "zhiku_documents", { status: "processing" }),
    ).toBe(3);

    server.standIn.setOptions({ latencyMs: 0 });
    await server.deps.jobs.whenIdle();
    // Two requests for one route pattern with different workspace slugs: one series, not one per URL.
    expect((await server.request("/api/workspaces/plant/documents")).status).toBe(200);
    expect((await server.request("/api/workspaces/no-such-place/documents")).status).toBe(404);

    const after = await scrape();
    expect(sampleValue(after, "zhiku_documents", { status: "ready" })).toBe(3);
    expect(sampleValue(after, "zhiku_ingestion_queue_depth", { state: "queued" })).toBe(0);
    expect(sampleValue(after, "zhiku_ingestion_queue_depth", { state: "running" })).toBe(0);
    expect(sampleValue(after, "zhiku_ingestion_jobs_finished_total", { outcome: "ingested" })).toBe(3);
    const route = "/api/workspaces/:slug/documents";
    expect(sampleValue(after, "zhiku_http_requests_total", { method: "POST", route, status: "202" })).toBe(1);
    expect(sampleValue(after, "zhiku_http_requests_total", { method: "GET", route, status: "200" })).toBe(1);
    expect(sampleValue(after, "zhiku_http_requests_total", { method: "GET", route, status: "404" })).toBe(1);
    expect(
      sampleValue(after, "zhiku_http_request_duration_seconds_count", {
        method: "GET",
        route: "/api/metrics",
      }),
    ).toBe(2);
    const routes = new Set(
      after.flatMap((sample) => (sample.labels.route === undefined ? [] : [sample.labels.route])),
    );
    expect([...routes].some((label) => label.includes("plant") || label.includes("no-such-place"))).toBe(
      false,
    );
  });

  it("counts chats, time to first token and the tokens Ollama reports", async () => {
    await server.deps.kb.ingest({
      workspace: "plant",
      name: "pumps.md",
      bytes: new TextEncoder().encode(guide("pumps")),
    });
    const response = await server.request("/api/workspaces/plant/chat", {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: "How often are the pumps checked?" }),
    });
    expect(response.status).toBe(200);
    const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
    expect(events.at(-1)?.event).toBe("done");
    const tokenEvents = events.filter((event) => event.event === "token").length;
    expect(tokenEvents).toBeGreaterThan(1);

    const answered = await server.request("/api/workspaces/plant/chat", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "What is logged?" }),
    });
    expect(answered.status).toBe(200);

    const samples = await scrape();
    expect(sampleValue(samples, "zhiku_chat_requests_total", { outcome: "ok", streamed: "true" })).toBe(1);
    expect(sampleValue(samples, "zhiku_chat_requests_total", { outcome: "ok", streamed: "false" })).toBe(1);
    expect(sampleValue(samples, "zhiku_chat_time_to_first_token_seconds_count")).toBe(1);
    // The stand-in reports one eval per streamed piece, as Ollama counts generated tokens.
    const chatCalls = server.standIn.requests.filter((request) => request.path === "/api/chat").length;
    expect(chatCalls).toBe(2);
    expect(sampleValue(samples, "zhiku_chat_tokens_total", { kind: "completion" })).toBeGreaterThanOrEqual(
      tokenEvents + 1,
    );
    expect(sampleValue(samples, "zhiku_chat_tokens_total", { kind: "prompt" })).toBeGreaterThan(0);
  });

  it("adds process metrics on request, on its own registry", async () => {
    const registry = new Registry();
    createServerMetrics({
      registry,
      queueDepth: () => server.deps.jobs.store.countUnfinished(),
      documentCounts: () => server.deps.kb.countDocumentsByStatus(),
      processMetrics: true,
    });
    const samples = parseMetrics(await registry.metrics());
    expect(sampleValue(samples, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sampleValue(samples, "zhiku_documents", { status: "ready" })).toBe(0);
    // The app's own registry is a different one and holds no process metrics.
    expect(sampleValue(await scrape(), "process_cpu_user_seconds_total")).toBe(0);
  });
});
