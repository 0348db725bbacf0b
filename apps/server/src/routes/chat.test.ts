import type { StandInRequest } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import {
  createTestServer,
  readEvents,
  type ServerSentEvent,
  type TestServer,
} from "../testing/test-server.js";

const redisGuide = `# Redis transactions

Redis runs a transaction with MULTI, EXEC and DISCARD. Commands queued after MULTI run one after another when EXEC
is called, and no other client's command runs in between.

## Rollback

Redis does not roll back: when a queued command fails, the others still run. DISCARD drops the queue before EXEC.
`;

const gcGuide = `# JVM 垃圾回收

标记-清除算法先标记所有需要回收的对象，然后统一回收被标记的对象。它的缺点是会产生大量不连续的内存碎片。

## 复制算法

复制算法把内存分成大小相同的两块，每次只使用其中一块。这一块用完后，把还存活的对象复制到另一块上。
`;

interface ChatPayload {
  answer: string;
  sources: Array<{
    index: number;
    documentId: string;
    documentName: string;
    chunkId: string;
    text: string;
    page: number | null;
    score: number;
    relevance?: number | null;
    headings: string[];
    start: number;
    end: number;
  }>;
  threadId: string;
  messageId: string;
}

interface StoredThread {
  thread: { id: string; stopped: boolean };
  messages: Array<{
    id: string;
    role: string;
    content: string;
    feedback: string | null;
    status: "done" | "stopped";
    earlierVersions: Array<{ id: string; content: string; status: "done" | "stopped" }>;
  }>;
}

function chatRequests(requests: StandInRequest[]): StandInRequest[] {
  return requests.filter((request) => request.path === "/api/chat");
}

function bodyOf(request: StandInRequest | undefined): {
  stream?: boolean;
  messages: Array<{ role: string; content: string }>;
  options?: { num_ctx?: number };
} {
  return request?.body as never;
}

describe("chat routes", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer();
    const encoder = new TextEncoder();
    await server.deps.kb.ingest({ workspace: "docs", name: "redis.md", bytes: encoder.encode(redisGuide) });
    await server.deps.kb.ingest({ workspace: "docs", name: "jvm-gc.md", bytes: encoder.encode(gcGuide) });
  });

  afterEach(async () => {
    await server.close();
  });

  const post = (path: string, body: unknown, accept = "application/json", signal?: AbortSignal) =>
    server.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: accept },
      body: JSON.stringify(body),
      ...(signal ? { signal } : {}),
    });

  it("streams sources, tokens and done for an English question, with passages in the prompt and num_ctx set", async () => {
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "Does Redis roll back a transaction?" },
      "text/event-stream",
    );
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
    expect(events[0]?.event).toBe("sources");
    const { sources } = JSON.parse(events[0]?.data ?? "{}") as { sources: ChatPayload["sources"] };
    expect(sources.length).toBeGreaterThan(0);
    expect(sources[0]).toEqual({
      index: 1,
      documentId: expect.any(String),
      documentName: expect.any(String),
      chunkId: expect.any(String),
      text: expect.any(String),
      page: null,
      score: expect.any(Number),
      relevance: expect.any(Number),
      headings: expect.any(Array),
      start: expect.any(Number),
      end: expect.any(Number),
    });
    // Hybrid search: `score` is the fused rank score, `relevance` the passage's cosine similarity (0..1, above
    // the default cut-off, so never the tiny RRF number).
    for (const source of sources) {
      expect(source.relevance).toBeGreaterThanOrEqual(0.35);
      expect(source.relevance).toBeLessThanOrEqual(1);
      expect(source.score).toBeLessThan(0.1);
    }
    expect(sources.map((source) => source.documentName)).toContain("redis.md");
    const tokens = events
      .filter((event) => event.event === "token")
      .map((event) => (JSON.parse(event.data) as { text: string }).text);
    expect(tokens.length).toBeGreaterThan(1);
    const answer = tokens.join("");
    expect(answer).toMatch(/^Regarding "Does Redis roll back a transaction\?"/);
    expect(answer).toContain("[1]");
    const done = events.at(-1) as ServerSentEvent;
    expect(done.event).toBe("done");
    const { threadId, messageId } = JSON.parse(done.data) as { threadId: string; messageId: string };

    const [chat] = chatRequests(server.standIn.requests);
    const request = bodyOf(chat);
    // qwen2.5:7b reports a 32768 context; the service runs it at its 8192 cap, never Ollama's 2048 default.
    expect(request.options?.num_ctx).toBe(8192);
    expect(request.stream).toBe(true);
    expect(request.messages[0]?.role).toBe("system");
    expect(request.messages[0]?.content).toMatch(/\[1\]/);
    const prompt = request.messages.at(-1)?.content ?? "";
    expect(prompt).toContain('<passage index="1" document="');
    for (const source of sources) expect(prompt).toContain(`<passage index="${source.index}"`);
    expect(prompt.endsWith("Question: Does Redis roll back a transaction?")).toBe(true);
    expect(server.standIn.requests.some((entry) => entry.path === "/api/show")).toBe(true);

    const thread = await server.request(`/api/threads/${threadId}`);
    expect(thread.status).toBe(200);
    const stored = (await thread.json()) as {
      thread: { title: string };
      messages: Array<{ id: string; role: string; content: string; sources: unknown[] }>;
    };
    expect(stored.thread.title).toBe("Does Redis roll back a transaction?");
    expect(stored.messages.map((message) => message.role)).toEqual(["user", "assistant"]);
    expect(stored.messages[1]).toMatchObject({ id: messageId, content: answer });
    expect(stored.messages[1]?.sources).toHaveLength(sources.length);
  });

  it("answers a Chinese question in Chinese as JSON", async () => {
    const response = await post("/api/workspaces/docs/chat", { message: "复制算法是怎么工作的？" });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatPayload;
    expect(body.answer).toMatch(/^关于「复制算法是怎么工作的？」/);
    expect(body.answer).toContain("[1]");
    expect(body.sources.map((source) => source.documentName)).toContain("jvm-gc.md");
    expect(body.threadId).toEqual(expect.any(String));
    expect(body.messageId).toEqual(expect.any(String));
    const system = bodyOf(chatRequests(server.standIn.requests)[0]).messages[0]?.content ?? "";
    expect(system).toContain("请用中文回答");
  });

  it("rewrites a follow-up into a standalone query from the thread's history before retrieval", async () => {
    const first = (await (
      await post("/api/workspaces/docs/chat", { message: "How do Redis transactions work?" })
    ).json()) as ChatPayload;
    const before = server.standIn.requests.length;
    const response = await post("/api/workspaces/docs/chat", {
      message: "Can they be rolled back?",
      threadId: first.threadId,
    });
    expect(response.status).toBe(200);
    const second = (await response.json()) as ChatPayload;
    expect(second.threadId).toBe(first.threadId);

    const later = server.standIn.requests.slice(before);
    const [rewrite, answer] = chatRequests(later);
    expect(bodyOf(rewrite).stream).toBe(false);
    expect(bodyOf(rewrite).options?.num_ctx).toBe(8192);
    const rewritePrompt = bodyOf(rewrite)
      .messages.map((message) => message.content)
      .join("\n");
    expect(rewritePrompt).toContain("User: How do Redis transactions work?");
    expect(rewritePrompt).toContain("Follow-up question: Can they be rolled back?");
    // The stand-in's rewrite is the follow-up itself; it is what retrieval embedded, after the rewrite call.
    const embedAfterRewrite = later
      .slice(later.indexOf(rewrite as StandInRequest))
      .find((entry) => entry.path === "/api/embed");
    expect(JSON.stringify(embedAfterRewrite?.body)).toContain("rolled back");
    // The answer sees the history too.
    expect(bodyOf(answer).messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);

    const thread = (await (await server.request(`/api/threads/${first.threadId}`)).json()) as {
      messages: unknown[];
    };
    expect(thread.messages).toHaveLength(4);
  });

  it("falls back to the raw question when the rewrite call fails", async () => {
    const first = (await (
      await post("/api/workspaces/docs/chat", { message: "How do Redis transactions work?" })
    ).json()) as ChatPayload;
    server.standIn.setOptions({ failures: { chat: { status: 500, times: 1 } } });
    const response = await post("/api/workspaces/docs/chat", {
      message: "And DISCARD?",
      threadId: first.threadId,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as ChatPayload;
    expect(body.answer).toMatch(/^Regarding "And DISCARD\?"/);
    const failed = server.standIn.requests.filter(
      (entry) => entry.path === "/api/chat" && entry.status === 500,
    );
    expect(failed).toHaveLength(1);
  });

  it("in query mode says it found nothing, in the question's language, without calling the model", async () => {
    const created = await post("/api/workspaces", { name: "Empty", slug: "empty" });
    expect(created.status).toBe(201);
    const chinese = (await (
      await post("/api/workspaces/empty/chat", { message: "复制算法是什么？", mode: "query" })
    ).json()) as ChatPayload;
    expect(chinese.answer).toContain("没有找到");
    expect(chinese.sources).toEqual([]);

    // Relevant-looking hits below the workspace's cut-off count as nothing found too.
    const patched = await server.request("/api/workspaces/docs", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ settings: { relevanceCutoff: 0.999 } }),
    });
    expect(patched.status).toBe(200);
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "What is the weather on Mars?", mode: "query" },
      "text/event-stream",
    );
    const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
    expect(events.map((event) => event.event)).toEqual(["sources", "token", "done"]);
    expect(JSON.parse(events[0]?.data ?? "{}")).toEqual({ sources: [] });
    expect(JSON.parse(events[1]?.data ?? "{}").text).toMatch(/could not find anything relevant/);
    expect(chatRequests(server.standIn.requests)).toEqual([]);

    const threads = (await (await server.request("/api/workspaces/docs/threads")).json()) as {
      threads: Array<{ id: string }>;
    };
    expect(threads.threads).toHaveLength(1);
  });

  it("uses the default relevance cut-off when the workspace sets none", async () => {
    const reset = await server.request("/api/workspaces/docs", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ settings: { relevanceCutoff: null } }),
    });
    expect(reset.status).toBe(200);
    const before = chatRequests(server.standIn.requests).length;
    const offTopic = (await (
      await post("/api/workspaces/docs/chat", { message: "火星上今天的天气怎么样？", mode: "query" })
    ).json()) as ChatPayload;
    expect(offTopic.sources).toEqual([]);
    expect(offTopic.answer).toContain("没有找到");
    expect(chatRequests(server.standIn.requests)).toHaveLength(before);
    const onTopic = (await (
      await post("/api/workspaces/docs/chat", { message: "How do Redis transactions work?", mode: "query" })
    ).json()) as ChatPayload;
    expect(onTopic.sources.length).toBeGreaterThan(0);
  });

  it("aborts the Ollama request when the client disconnects and keeps the partial answer", async () => {
    server.standIn.setOptions({ tokenDelayMs: 30 });
    const client = new AbortController();
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "How do Redis transactions work?" },
      "text/event-stream",
      client.signal,
    );
    // readEvents cancels the body once the first token is in: the client going away.
    await readEvents(response, (event) => event.event === "token");
    client.abort();
    await vi.waitFor(() => {
      const chat = chatRequests(server.standIn.requests)[0];
      expect(chat?.aborted).toBe(true);
    });
    await vi.waitFor(() => {
      const threads = server.deps.kb.db
        .prepare("SELECT COUNT(*) AS count FROM messages WHERE role = 'assistant'")
        .get() as { count: number };
      expect(threads.count).toBe(1);
    });
    const stored = server.deps.kb.db
      .prepare("SELECT content, status FROM messages WHERE role = 'assistant'")
      .get() as { content: string; status: string };
    expect(stored.content.length).toBeGreaterThan(0);
    expect(stored.content).not.toContain("Sources:");
    expect(stored.status).toBe("stopped");
  });

  it("stops an answer by its requestId: the partial answer is stored as stopped and the stream ends with done", async () => {
    server.standIn.setOptions({ tokenDelayMs: 30 });
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "How do Redis transactions work?", requestId: "r-1" },
      "text/event-stream",
    );
    expect(response.status).toBe(200);
    let stop: Promise<Response> | undefined;
    const events = await readEvents(response, (event, all) => {
      if (event.event === "token" && all.filter((item) => item.event === "token").length === 2) {
        stop = post("/api/workspaces/docs/chat/stop", { requestId: "r-1" });
      }
      return event.event === "done" || event.event === "error";
    });
    const stopped = await stop;
    expect(stopped?.status).toBe(200);
    expect(await stopped?.json()).toEqual({ stopped: true });
    const done = events.at(-1) as ServerSentEvent;
    expect(done.event).toBe("done");
    const ids = JSON.parse(done.data) as { threadId: string; messageId: string; status: string };
    expect(ids.status).toBe("stopped");
    await vi.waitFor(() => expect(chatRequests(server.standIn.requests)[0]?.aborted).toBe(true));
    const streamed = events
      .filter((event) => event.event === "token")
      .map((event) => (JSON.parse(event.data) as { text: string }).text)
      .join("");

    // The thread is listed at once, marked stopped, and its answer is what was streamed.
    const list = (await (await server.request("/api/workspaces/docs/threads")).json()) as {
      threads: Array<{ id: string; stopped: boolean }>;
    };
    expect(list.threads).toEqual([expect.objectContaining({ id: ids.threadId, stopped: true })]);
    const thread = (await (await server.request(`/api/threads/${ids.threadId}`)).json()) as StoredThread;
    expect(thread.thread.stopped).toBe(true);
    expect(thread.messages[1]).toMatchObject({ id: ids.messageId, status: "stopped", content: streamed });

    // Once the answer is over its id stops nothing, and another user cannot reach anyone's answer by its id.
    const late = await post("/api/workspaces/docs/chat/stop", { requestId: "r-1" });
    expect(await late.json()).toEqual({ stopped: false });
    const bad = await post("/api/workspaces/docs/chat/stop", {});
    expect(bad.status).toBe(400);
  });

  it("does not let another user stop an answer by its requestId", async () => {
    server.standIn.setOptions({ tokenDelayMs: 20 });
    const other = await server.createUser({ role: "admin" });
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "How do Redis transactions work?", requestId: "shared-id" },
      "text/event-stream",
    );
    let stop: Promise<Response> | undefined;
    const events = await readEvents(response, (event) => {
      if (event.event === "sources") {
        stop = other.request("/api/workspaces/docs/chat/stop", {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ requestId: "shared-id" }),
        });
      }
      return event.event === "done" || event.event === "error";
    });
    expect(await (await stop)?.json()).toEqual({ stopped: false });
    expect(JSON.parse(events.at(-1)?.data ?? "{}")).toMatchObject({ status: "done" });
  });

  it("reports an Ollama failure mid-answer as an error event, and as 503 in JSON", async () => {
    server.standIn.setOptions({ failures: { chat: { status: 500, times: 2 } } });
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "How do Redis transactions work?" },
      "text/event-stream",
    );
    expect(response.status).toBe(200);
    const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
    expect(events.map((event) => event.event)).toEqual(["sources", "error"]);
    expect(JSON.parse(events[1]?.data ?? "{}")).toEqual({
      code: "unavailable:ollama",
      message: expect.stringContaining("500"),
    });

    const json = await post("/api/workspaces/docs/chat", { message: "How do Redis transactions work?" });
    expect(json.status).toBe(503);
    expect(((await json.json()) as { error: { code: string } }).error.code).toBe("unavailable:ollama");
  });

  it("answers 503 unavailable:ollama when Ollama is unreachable, before any event is sent", async () => {
    server.standIn.setOptions({ unavailable: "close" });
    for (const accept of ["application/json", "text/event-stream"]) {
      const response = await post(
        "/api/workspaces/docs/chat",
        { message: "How do Redis transactions work?" },
        accept,
      );
      expect(response.status).toBe(503);
      const body = (await response.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe("unavailable:ollama");
      expect(body.error.message).toContain("not reachable");
    }
  });

  it("sends relevance null for passages found by full text only, and stores it with the answer", async () => {
    const patched = await server.request("/api/workspaces/docs", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ settings: { mode: "fulltext" } }),
    });
    expect(patched.status).toBe(200);
    const body = (await (
      await post("/api/workspaces/docs/chat", { message: "Redis MULTI EXEC DISCARD" })
    ).json()) as ChatPayload;
    expect(body.sources.length).toBeGreaterThan(0);
    for (const source of body.sources) expect(source.relevance).toBeNull();
    const thread = (await (await server.request(`/api/threads/${body.threadId}`)).json()) as {
      messages: Array<{ sources: Array<{ relevance?: number | null }> }>;
    };
    expect(thread.messages[1]?.sources[0]?.relevance).toBeNull();
  });

  it("regenerates the last answer in place: the question is stored once, the old answer stays as an earlier version without its feedback", async () => {
    const first = (await (
      await post("/api/workspaces/docs/chat", { message: "How do Redis transactions work?" })
    ).json()) as ChatPayload;
    const second = (await (
      await post("/api/workspaces/docs/chat", {
        message: "Can they be rolled back?",
        threadId: first.threadId,
      })
    ).json()) as ChatPayload;
    const rated = await post(`/api/messages/${second.messageId}/feedback`, { rating: "down" });
    expect(rated.status).toBe(200);

    const before = server.standIn.requests.length;
    const response = await post(
      "/api/workspaces/docs/chat",
      { message: "Can they be rolled back?", threadId: first.threadId, regenerate: true },
      "text/event-stream",
    );
    expect(response.status).toBe(200);
    const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
    const done = events.at(-1) as ServerSentEvent;
    expect(done.event).toBe("done");
    const ids = JSON.parse(done.data) as { threadId: string; messageId: string };
    expect(ids.threadId).toBe(first.threadId);
    expect(ids.messageId).not.toBe(second.messageId);

    // The model saw the history before the regenerated question, not the answer being replaced.
    const answerRequest = chatRequests(server.standIn.requests.slice(before)).at(-1);
    expect(bodyOf(answerRequest).messages.map((message) => message.role)).toEqual([
      "system",
      "user",
      "assistant",
      "user",
    ]);
    expect(JSON.stringify(bodyOf(answerRequest).messages)).not.toContain(second.answer);

    const thread = (await (await server.request(`/api/threads/${first.threadId}`)).json()) as StoredThread;
    expect(thread.messages.map((message) => [message.role, message.content])).toEqual([
      ["user", "How do Redis transactions work?"],
      ["assistant", first.answer],
      ["user", "Can they be rolled back?"],
      ["assistant", expect.stringContaining('"Can they be rolled back?"')],
    ]);
    expect(thread.messages[3]).toMatchObject({ id: ids.messageId, feedback: null, status: "done" });
    expect(thread.messages[3]?.earlierVersions).toEqual([
      expect.objectContaining({ id: second.messageId, content: second.answer, status: "done" }),
    ]);
    expect(thread.messages[1]?.earlierVersions).toEqual([]);
    const oldFeedback = await post(`/api/messages/${second.messageId}/feedback`, { rating: "up" });
    expect(oldFeedback.status).toBe(404);
  });

  it("without regenerate stores a repeated question again, and regenerating another question appends it", async () => {
    const first = (await (
      await post("/api/workspaces/docs/chat", { message: "How do Redis transactions work?" })
    ).json()) as ChatPayload;
    // Old clients send the question again without the flag: appended, as before.
    await post("/api/workspaces/docs/chat", {
      message: "How do Redis transactions work?",
      threadId: first.threadId,
    });
    // The last stored question is not this one (its first attempt failed unstored): nothing to replace.
    const appended = await post("/api/workspaces/docs/chat", {
      message: "And DISCARD?",
      threadId: first.threadId,
      regenerate: true,
    });
    expect(appended.status).toBe(200);
    const thread = (await (await server.request(`/api/threads/${first.threadId}`)).json()) as StoredThread;
    expect(
      thread.messages.filter((message) => message.role === "user").map((message) => message.content),
    ).toEqual(["How do Redis transactions work?", "How do Redis transactions work?", "And DISCARD?"]);
    expect(thread.messages).toHaveLength(6);
  });

  it("refuses regenerate without a thread, and documents the field in the OpenAPI description", async () => {
    const response = await post("/api/workspaces/docs/chat", { message: "hi", regenerate: true });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid:regenerate");
    const spec = (await (await server.request("/api/openapi.json")).json()) as {
      paths: Record<string, { post?: { requestBody?: { content?: Record<string, { schema?: unknown }> } } }>;
    };
    const schema = JSON.stringify(
      spec.paths["/api/workspaces/{slug}/chat"]?.post?.requestBody?.content?.["application/json"]?.schema,
    );
    expect(schema).toContain('"regenerate"');
    const sources = JSON.stringify(spec);
    expect(sources).toContain('"relevance"');
  });

  it("documents the chat, thread and OpenAI-compatible routes in the OpenAPI description", async () => {
    const response = await server.request("/api/openapi.json");
    const { paths } = (await response.json()) as { paths: Record<string, unknown> };
    for (const path of [
      "/api/workspaces/{slug}/chat",
      "/api/workspaces/{slug}/threads",
      "/api/threads/{id}",
      "/api/messages/{id}/feedback",
      "/v1/models",
      "/v1/chat/completions",
    ]) {
      expect(Object.keys(paths)).toContain(path);
    }
  });

  it("rejects a bad body, an unknown workspace and another workspace's thread", async () => {
    const empty = await post("/api/workspaces/docs/chat", { message: "  " });
    expect(empty.status).toBe(400);
    expect(((await empty.json()) as { error: { code: string } }).error.code).toBe("invalid:message");
    const mode = await post("/api/workspaces/docs/chat", { message: "hi", mode: "nope" });
    expect(mode.status).toBe(400);
    const missing = await post("/api/workspaces/nope/chat", { message: "hi" });
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found:workspace");
    const thread = await post(
      "/api/workspaces/docs/chat",
      { message: "hi", threadId: "missing" },
      "text/event-stream",
    );
    expect(thread.status).toBe(404);
    expect(((await thread.json()) as { error: { code: string } }).error.code).toBe("not_found:thread");
  });
});
