import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../testing/test-server.js";

describe("thread routes", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer();
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "redis.md",
      bytes: new TextEncoder().encode("# Redis\n\nMULTI starts a transaction and EXEC runs it.\n"),
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const json = (method: string, path: string, body?: unknown) =>
    server.request(path, {
      method,
      headers: { "Content-Type": "application/json" },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });

  async function ask(message: string, threadId?: string) {
    const response = await json("POST", "/api/workspaces/docs/chat", {
      message,
      ...(threadId ? { threadId } : {}),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { threadId: string; messageId: string; answer: string };
  }

  it("lists, reads, renames and deletes threads, and records feedback", async () => {
    const first = await ask("What does MULTI do?");
    await ask("And EXEC?", first.threadId);
    const other = await ask("Another topic");

    const list = await server.request("/api/workspaces/docs/threads");
    expect(list.status).toBe(200);
    const { threads } = (await list.json()) as {
      threads: Array<{ id: string; title: string; workspaceId: string }>;
    };
    expect(threads.map((thread) => thread.id)).toEqual([other.threadId, first.threadId]);
    expect(threads[1]?.title).toBe("What does MULTI do?");

    const read = await server.request(`/api/threads/${first.threadId}`);
    const detail = (await read.json()) as {
      thread: { id: string; title: string };
      messages: Array<{
        id: string;
        role: string;
        content: string;
        sources: Array<{ documentName: string }>;
      }>;
    };
    expect(detail.thread.id).toBe(first.threadId);
    expect(detail.messages.map((message) => [message.role, message.content.slice(0, 10)])).toEqual([
      ["user", "What does "],
      ["assistant", "Regarding "],
      ["user", "And EXEC?"],
      ["assistant", "Regarding "],
    ]);
    expect(detail.messages[1]?.sources[0]?.documentName).toBe("redis.md");

    const renamed = await json("PATCH", `/api/threads/${first.threadId}`, { title: "Redis MULTI" });
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { thread: { title: string } }).thread.title).toBe("Redis MULTI");

    const feedback = await json("POST", `/api/messages/${first.messageId}/feedback`, { rating: "down" });
    expect(feedback.status).toBe(200);
    expect(await feedback.json()).toEqual({ messageId: first.messageId, rating: "down" });
    const rated = (await (await server.request(`/api/threads/${first.threadId}`)).json()) as {
      messages: Array<{ id: string; feedback: string | null }>;
    };
    expect(rated.messages.find((message) => message.id === first.messageId)?.feedback).toBe("down");

    const deleted = await json("DELETE", `/api/threads/${first.threadId}`);
    expect(deleted.status).toBe(204);
    expect((await server.request(`/api/threads/${first.threadId}`)).status).toBe(404);
    const after = (await (await server.request("/api/workspaces/docs/threads")).json()) as {
      threads: unknown[];
    };
    expect(after.threads).toHaveLength(1);
  });

  it("names each thread's owner, and tells a member that another user's thread is not theirs", async () => {
    const workspace = server.deps.kb.getWorkspace("docs")!;
    const member = await server.createUser({ email: "mei@example.com" });
    const stranger = await server.createUser({ email: "li@example.com" });
    const { accounts } = server.deps.auth;
    accounts.setMember({ workspaceId: workspace.id, userId: member.user.id, role: "viewer" });
    const asMember = (path: string, init: RequestInit = {}) =>
      member.request(path, { ...init, headers: { "Content-Type": "application/json", ...init.headers } });
    const answered = await asMember("/api/workspaces/docs/chat", {
      method: "POST",
      body: JSON.stringify({ message: "What does MULTI do?" }),
    });
    const mine = (await answered.json()) as { threadId: string };
    const admins = await ask("Another topic");

    // The admin sees every thread with whose it is.
    const list = (await (await server.request("/api/workspaces/docs/threads")).json()) as {
      threads: Array<{ id: string; owner: { id: string; email: string } | null; stopped: boolean }>;
    };
    expect(list.threads.map((thread) => [thread.id, thread.owner, thread.stopped])).toEqual([
      [admins.threadId, { id: server.admin.user.id, email: "admin@example.com" }, false],
      [mine.threadId, { id: member.user.id, email: "mei@example.com" }, false],
    ]);
    const own = (await (await asMember("/api/workspaces/docs/threads")).json()) as {
      threads: Array<{ id: string }>;
    };
    expect(own.threads.map((thread) => thread.id)).toEqual([mine.threadId]);

    // The member opening the admin's thread is told it belongs to someone else; a missing one is not found.
    const other = await asMember(`/api/threads/${admins.threadId}`);
    expect(other.status).toBe(403);
    expect(await other.json()).toEqual({
      error: { code: "forbidden:thread", message: "This conversation belongs to another user" },
    });
    const missing = await asMember("/api/threads/no-such-thread");
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found:thread");
    // Someone outside the workspace learns nothing: the thread answers as missing.
    const outside = await stranger.request(`/api/threads/${mine.threadId}`);
    expect(outside.status).toBe(404);
  });

  it("answers 404 and 400 in the API's error shape", async () => {
    const missing = await server.request("/api/threads/nope");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: "not_found:thread", message: expect.stringContaining("nope") },
    });
    expect((await json("PATCH", "/api/threads/nope", { title: "x" })).status).toBe(404);
    expect((await json("DELETE", "/api/threads/nope")).status).toBe(404);
    const feedback = await json("POST", "/api/messages/nope/feedback", { rating: "up" });
    expect(feedback.status).toBe(404);
    expect(((await feedback.json()) as { error: { code: string } }).error.code).toBe("not_found:message");
    const badRating = await json("POST", "/api/messages/nope/feedback", { rating: "meh" });
    expect(badRating.status).toBe(400);
    expect(((await badRating.json()) as { error: { code: string } }).error.code).toBe("invalid:rating");
    const { threadId } = await ask("What does MULTI do?");
    const badTitle = await json("PATCH", `/api/threads/${threadId}`, { title: "" });
    expect(badTitle.status).toBe(400);
    expect((await server.request("/api/workspaces/nope/threads")).status).toBe(404);
  });
});
