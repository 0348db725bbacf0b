import { chunkRecordSchema, searchResultSchema } from "@zhiku/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { z } from "zod";
import { chatSourceSchema } from "../services/chat/index.js";
import { createTestServer, readEvents, type TestServer } from "../testing/test-server.js";

const guide = [
  "# Redis transactions",
  "",
  "Redis does not roll back a transaction: MULTI queues commands and EXEC runs them all, even after one fails.",
  "",
  "## WATCH",
  "",
  "WATCH makes EXEC fail when a watched key changed, which gives optimistic locking.",
].join("\n");

/** Parses `value` with `schema` made strict, so a field on the wire that the schema does not declare fails too. */
function parseExactly<Shape extends z.ZodRawShape>(schema: z.ZodObject<Shape>, value: unknown) {
  return schema.strict().parse(value);
}

// The chunk, search hit and chat source are declared once, as these schemas; the route types and the OpenAPI
// document come from them. This checks that what the routes send is exactly that: no field missing, none extra.
describe("the wire shapes of chunks, search hits and chat sources are their schemas", () => {
  let server: TestServer;
  let documentId: string;

  beforeAll(async () => {
    server = await createTestServer();
    const outcome = await server.deps.kb.ingest({
      workspace: "docs",
      name: "redis.md",
      bytes: new TextEncoder().encode(guide),
    });
    documentId = outcome.document.id;
  });

  afterAll(async () => {
    await server?.close();
  });

  const post = (path: string, body: unknown, accept = "application/json") =>
    server.request(path, {
      method: "POST",
      headers: { "content-type": "application/json", accept },
      body: JSON.stringify(body),
    });

  it("lists chunks as chunkRecordSchema", async () => {
    const response = await server.request(`/api/workspaces/docs/documents/${documentId}/chunks`);
    expect(response.status).toBe(200);
    const { chunks } = (await response.json()) as { chunks: unknown[] };
    expect(chunks.length).toBeGreaterThan(0);
    const parsed = chunks.map((chunk) => parseExactly(chunkRecordSchema, chunk));
    expect(parsed.map((chunk) => chunk.index)).toEqual(parsed.map((_, position) => position));
    expect(parsed.every((chunk) => chunk.documentId === documentId)).toBe(true);
  });

  it("answers a search with hits as searchResultSchema, relevance included", async () => {
    const response = await post("/api/workspaces/docs/search", {
      query: "Does Redis roll back a transaction?",
    });
    expect(response.status).toBe(200);
    const { results, mode } = (await response.json()) as { results: unknown[]; mode: string };
    expect(mode).toBe("hybrid");
    expect(results.length).toBeGreaterThan(0);
    for (const result of results) {
      const hit = parseExactly(searchResultSchema, result);
      expect(hit.documentName).toBe("redis.md");
      expect(typeof hit.relevance).toBe("number");
    }
  });

  it("sends chat sources as chatSourceSchema in JSON, in the sources event and in the stored thread", async () => {
    const question = { message: "Does Redis roll back a transaction?" };
    const json = await post("/api/workspaces/docs/chat", question);
    expect(json.status).toBe(200);
    const answer = (await json.json()) as { sources: unknown[]; threadId: string };
    expect(answer.sources.length).toBeGreaterThan(0);
    const sources = answer.sources.map((source) => parseExactly(chatSourceSchema, source));
    expect(sources.map((source) => source.index)).toEqual(sources.map((_, position) => position + 1));

    const stream = await post("/api/workspaces/docs/chat", question, "text/event-stream");
    const events = await readEvents(stream, (event) => event.event === "done" || event.event === "error");
    const sourcesEvent = events.find((event) => event.event === "sources");
    const streamed = (JSON.parse(sourcesEvent?.data ?? "{}") as { sources: unknown[] }).sources;
    expect(streamed.map((source) => parseExactly(chatSourceSchema, source))).toEqual(sources);

    const thread = await server.request(`/api/threads/${answer.threadId}`);
    expect(thread.status).toBe(200);
    const { messages } = (await thread.json()) as { messages: { role: string; sources: unknown[] }[] };
    const stored = messages.find((message) => message.role === "assistant")?.sources ?? [];
    expect(stored.map((source) => parseExactly(chatSourceSchema, source))).toEqual(sources);
  });
});
