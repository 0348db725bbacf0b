import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SearchResult, WorkspaceRecord } from "@zhiku/ingest";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateServerDatabase } from "../../db/migrations.js";
import { type ChatEvent, createChatService, type SearchFunction } from "./chat-service.js";
import { createOllamaClientFactory } from "./ollama-client.js";
import { createThreadStore } from "./thread-store.js";

const workspace: WorkspaceRecord = {
  id: "w1",
  slug: "docs",
  name: "Docs",
  embedModel: "bge-m3",
  embedDimension: 64,
  settings: {},
  refusal: { cutoff: 0.35, fullTextCutoff: null, source: "default", calibration: null },
  createdAt: "2025-01-01T00:00:00.000Z",
  updatedAt: "2025-01-01T00:00:00.000Z",
};

function result(index: number, text: string): SearchResult {
  return {
    documentName: `doc-${index}.md`,
    documentId: `d${index}`,
    chunkId: `c${index}`,
    text,
    score: 1 / index,
    relevance: 0.9 - index / 100,
    page: null,
    headings: [],
    start: 0,
    end: text.length,
  };
}

async function collect(events: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const all: ChatEvent[] = [];
  for await (const event of events) all.push(event);
  return all;
}

describe("chat service", () => {
  let directory: string;
  let database: Database;
  let standIn: StandInOllama;
  let queries: string[];
  let results: SearchResult[];
  const search: SearchFunction = async (options) => {
    queries.push(options.query);
    return { results, mode: options.mode };
  };

  beforeEach(async () => {
    directory = mkdtempSync(join(tmpdir(), "zhiku-chat-"));
    database = new BetterSqlite3(join(directory, "zhiku.db"));
    migrateServerDatabase(database);
    standIn = await startStandInOllama();
    queries = [];
    results = [result(1, "Redis runs MULTI and EXEC."), result(2, "DISCARD drops the queue.")];
  });

  afterEach(async () => {
    await standIn.close();
    database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("sends the model's standalone rewrite of a follow-up to retrieval", async () => {
    const rewritten = "How does Redis roll back a failed transaction?";
    // A model that rewrites: the stand-in answers a rewrite prompt with the follow-up unchanged, so the reply of the
    // one non-streamed call is replaced here to tell the rewrite from the raw question. Everything else is the stand-in.
    const rewritingFetch: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      const body = typeof init?.body === "string" ? (JSON.parse(init.body) as { stream?: boolean }) : {};
      if (String(input).endsWith("/api/chat") && body.stream === false) {
        const reply = (await response.json()) as { message: { content: string } };
        return Response.json({
          ...reply,
          message: { ...reply.message, content: `Standalone query: ${rewritten}` },
        });
      }
      return response;
    };
    const threads = createThreadStore(database);
    const chat = createChatService({
      search,
      createOllamaClient: createOllamaClientFactory({ host: standIn.url, fetch: rewritingFetch }),
      threads,
      chatModel: "qwen2.5:7b",
    });
    const first = await chat.answer({ workspace, message: "How do Redis transactions work?" });
    expect(queries).toEqual(["How do Redis transactions work?"]);
    const second = await chat.answer({
      workspace,
      message: "Can it roll back?",
      threadId: first.threadId ?? undefined,
    });
    expect(queries[1]).toBe(rewritten);
    expect(second.threadId).toBe(first.threadId);
    // The answer is to the question as asked, not to the rewrite.
    expect(second.answer).toMatch(/^Regarding "Can it roll back\?"/);
    const rewriteCall = standIn.requests.find(
      (entry) => entry.path === "/api/chat" && (entry.body as { stream: boolean }).stream === false,
    );
    expect(rewriteCall?.body).toMatchObject({ options: { num_ctx: 8192 } });
  });

  it("drops the lowest-ranked passages to fit a small context and always sets num_ctx", async () => {
    results = Array.from({ length: 6 }, (_, position) =>
      result(position + 1, `passage ${position + 1} `.repeat(120)),
    );
    const chat = createChatService({
      search,
      createOllamaClient: createOllamaClientFactory({ host: standIn.url }),
      threads: createThreadStore(database),
      chatModel: "qwen2.5:7b",
      maxContextLength: 1024,
      replyReserveTokens: 256,
    });
    const events = await collect(
      chat.stream({ workspace, message: "What do the passages say?", persist: false }),
    );
    const sources = events.find((event) => event.type === "sources");
    expect(sources?.type === "sources" && sources.sources.length).toBeGreaterThan(0);
    expect(sources?.type === "sources" && sources.sources.length).toBeLessThan(6);
    const kept = sources?.type === "sources" ? sources.sources.map((source) => source.chunkId) : [];
    expect(kept).toEqual(results.slice(0, kept.length).map((hit) => hit.chunkId));
    const call = standIn.requests.find((entry) => entry.path === "/api/chat");
    const body = call?.body as { options: { num_ctx: number }; messages: Array<{ content: string }> };
    expect(body.options.num_ctx).toBe(1024);
    expect(body.messages.at(-1)?.content).not.toContain(`<passage index="${kept.length + 1}"`);
    const done = events.at(-1);
    expect(done).toMatchObject({ type: "done", threadId: null, messageId: null });
  });

  it("reports a missing chat model as not_found:model", async () => {
    const chat = createChatService({
      search,
      createOllamaClient: createOllamaClientFactory({ host: standIn.url }),
      threads: createThreadStore(database),
      chatModel: "no-such-model",
    });
    await expect(chat.answer({ workspace, message: "hi" })).rejects.toMatchObject({
      code: "not_found:model",
    });
  });
});
