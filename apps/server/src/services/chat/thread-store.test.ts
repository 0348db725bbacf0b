import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateServerDatabase } from "../../db/migrations.js";
import { createThreadStore, titleFromQuestion } from "./thread-store.js";

describe("thread store", () => {
  let directory: string;
  let database: Database;

  beforeEach(() => {
    directory = mkdtempSync(join(tmpdir(), "zhiku-threads-"));
    database = new BetterSqlite3(join(directory, "zhiku.db"));
    database.pragma("foreign_keys = ON");
    migrateServerDatabase(database);
  });

  afterEach(() => {
    database.close();
    rmSync(directory, { recursive: true, force: true });
  });

  it("stores exchanges in a new thread, appends to it and lists history oldest first", () => {
    const store = createThreadStore(database);
    const first = store.saveExchange({
      workspaceId: "w1",
      title: titleFromQuestion("What is Redis?"),
      question: "What is Redis?",
      answer: "A store [1].",
      sources: [],
    });
    const second = store.saveExchange({
      workspaceId: "w1",
      threadId: first.threadId,
      title: "ignored",
      question: "Is it fast?",
      answer: "Yes.",
      sources: [],
    });
    expect(second.threadId).toBe(first.threadId);
    expect(store.listThreads("w1").map((thread) => thread.title)).toEqual(["What is Redis?"]);
    expect(store.listThreads("w2")).toEqual([]);
    expect(store.listMessages(first.threadId).map((message) => message.content)).toEqual([
      "What is Redis?",
      "A store [1].",
      "Is it fast?",
      "Yes.",
    ]);
    expect(store.recentHistory(first.threadId, 3)).toEqual([
      { role: "assistant", content: "A store [1]." },
      { role: "user", content: "Is it fast?" },
      { role: "assistant", content: "Yes." },
    ]);
  });

  it("renames, records feedback and deletes a thread with its messages", () => {
    const store = createThreadStore(database);
    const saved = store.saveExchange({
      workspaceId: "w1",
      title: "t",
      question: "q",
      answer: "a",
      sources: [],
    });
    expect(store.renameThread(saved.threadId, "Renamed").title).toBe("Renamed");
    store.setFeedback(saved.assistantMessageId, "down");
    store.setFeedback(saved.assistantMessageId, "up");
    expect(store.listMessages(saved.threadId).at(-1)?.feedback).toBe("up");
    expect(() => store.setFeedback("missing", "up")).toThrow(
      expect.objectContaining({ code: "not_found:message" }),
    );
    store.deleteThread(saved.threadId);
    expect(store.getThread(saved.threadId)).toBeUndefined();
    expect(database.prepare("SELECT COUNT(*) AS count FROM messages").get()).toEqual({ count: 0 });
    expect(database.prepare("SELECT COUNT(*) AS count FROM feedback").get()).toEqual({ count: 0 });
    expect(() => store.deleteThread(saved.threadId)).toThrow(
      expect.objectContaining({ code: "not_found:thread" }),
    );
  });

  it("replaces the answer to the last question when regenerating, and appends when the question differs", () => {
    const store = createThreadStore(database);
    const first = store.saveExchange({
      workspaceId: "w1",
      title: "t",
      question: "q1",
      answer: "a1",
      sources: [],
    });
    const second = store.saveExchange({
      workspaceId: "w1",
      threadId: first.threadId,
      title: "t",
      question: "q2",
      answer: "a2",
      sources: [],
    });
    store.setFeedback(second.assistantMessageId, "down");
    expect(store.lastQuestion(first.threadId)).toEqual({ id: second.userMessageId, content: "q2" });
    expect(store.historyBeforeLastQuestion(first.threadId, 10)).toEqual([
      { role: "user", content: "q1" },
      { role: "assistant", content: "a1" },
    ]);
    const again = store.saveExchange({
      workspaceId: "w1",
      threadId: first.threadId,
      title: "t",
      question: "q2",
      answer: "a2 again",
      sources: [],
      replaceLastAnswer: true,
    });
    expect(again.userMessageId).toBe(second.userMessageId);
    expect(store.listMessages(first.threadId).map((message) => message.content)).toEqual([
      "q1",
      "a1",
      "q2",
      "a2 again",
    ]);
    expect(database.prepare("SELECT COUNT(*) AS count FROM feedback").get()).toEqual({ count: 0 });
    store.saveExchange({
      workspaceId: "w1",
      threadId: first.threadId,
      title: "t",
      question: "q3",
      answer: "a3",
      sources: [],
      replaceLastAnswer: true,
    });
    expect(store.listMessages(first.threadId).map((message) => message.content)).toEqual([
      "q1",
      "a1",
      "q2",
      "a2 again",
      "q3",
      "a3",
    ]);
  });

  it("keeps each regenerated answer as an earlier version, with its status, until the thread is deleted", () => {
    const store = createThreadStore(database);
    const first = store.saveExchange({
      workspaceId: "w1",
      title: "t",
      question: "q",
      answer: "a1",
      sources: [],
    });
    const regenerate = (answer: string, status?: "done" | "stopped") =>
      store.saveExchange({
        workspaceId: "w1",
        threadId: first.threadId,
        title: "t",
        question: "q",
        answer,
        sources: [],
        replaceLastAnswer: true,
        ...(status ? { status } : {}),
      });
    const second = regenerate("a2 (cut", "stopped");
    const third = regenerate("a3");
    const messages = store.listMessages(first.threadId);
    expect(messages.map((message) => [message.role, message.content, message.status])).toEqual([
      ["user", "q", "done"],
      ["assistant", "a3", "done"],
    ]);
    expect(messages[0]?.earlierVersions).toEqual([]);
    expect(messages[1]?.id).toBe(third.assistantMessageId);
    expect(
      messages[1]?.earlierVersions.map((version) => [version.id, version.content, version.status]),
    ).toEqual([
      [first.assistantMessageId, "a1", "done"],
      [second.assistantMessageId, "a2 (cut", "stopped"],
    ]);
    // The model is never shown the earlier versions.
    expect(store.recentHistory(first.threadId, 10)).toEqual([
      { role: "user", content: "q" },
      { role: "assistant", content: "a3" },
    ]);
    store.deleteThread(first.threadId);
    expect(database.prepare("SELECT COUNT(*) AS count FROM answer_versions").get()).toEqual({ count: 0 });
  });

  it("lists threads with their owner's email and whether the newest answer was stopped", () => {
    const now = new Date().toISOString();
    database
      .prepare(
        "INSERT INTO users (id, email, password_hash, role, created_at, updated_at) VALUES ('u1', 'ana@example.com', 'x', 'member', ?, ?)",
      )
      .run(now, now);
    const store = createThreadStore(database);
    const stopped = store.saveExchange({
      workspaceId: "w1",
      userId: "u1",
      title: "Stopped",
      question: "q",
      answer: "half",
      sources: [],
      status: "stopped",
    });
    const orphan = store.saveExchange({
      workspaceId: "w1",
      title: "Old",
      question: "q",
      answer: "a",
      sources: [],
    });
    expect(
      store
        .listThreads("w1")
        .map((thread) => ({ id: thread.id, owner: thread.owner, stopped: thread.stopped })),
    ).toEqual([
      { id: orphan.threadId, owner: null, stopped: false },
      { id: stopped.threadId, owner: { id: "u1", email: "ana@example.com" }, stopped: true },
    ]);
    expect(store.listThreads("w1", "u1").map((thread) => thread.id)).toEqual([stopped.threadId]);
    // A later answer that finished clears the mark.
    store.saveExchange({
      workspaceId: "w1",
      threadId: stopped.threadId,
      title: "Stopped",
      question: "q2",
      answer: "whole",
      sources: [],
    });
    expect(store.getThread(stopped.threadId)?.stopped).toBe(false);
  });

  it("makes one-line titles of at most 60 characters", () => {
    expect(titleFromQuestion("  Hello\n world  ")).toBe("Hello world");
    const long = titleFromQuestion("知".repeat(100));
    expect([...long]).toHaveLength(60);
    expect(long.endsWith("…")).toBe(true);
  });
});
