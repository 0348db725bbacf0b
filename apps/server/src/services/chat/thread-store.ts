import { randomUUID } from "node:crypto";
import { ZhikuError } from "@zhiku/ingest";
import type { Database } from "better-sqlite3";
import type { ChatSource } from "./chat-source.js";
import type { HistoryMessage } from "./types.js";

/** A conversation in a workspace. (Type aliases, not interfaces, here and for messages: the web client infers
 * response types from the routes, and TypeScript can inline an alias where it cannot name an interface.) */
export type ThreadRecord = {
  id: string;
  workspaceId: string;
  title: string;
  createdAt: string;
  updatedAt: string;
  /** Who started the thread (id and email); null for a thread from before accounts or of a deleted user. */
  owner: { id: string; email: string } | null;
  /** True when the thread's newest answer was stopped before it finished. */
  stopped: boolean;
};

/** How an answer ended: `done` when the model finished, `stopped` when it was stopped (the answer is partial). */
export type AnswerStatus = "done" | "stopped";

/** An earlier answer to a question, kept when the answer was regenerated. */
export type AnswerVersionRecord = {
  /** The id the answer had as a message. */
  id: string;
  content: string;
  sources: ChatSource[];
  /** Spelled out, not {@link AnswerStatus}, so the web client's inferred types can inline it. */
  status: "done" | "stopped";
  createdAt: string;
};

/** How a user rated an answer. */
export type FeedbackRating = "up" | "down";

/** One message of a thread; assistant messages carry the passages they were given. */
export type MessageRecord = {
  id: string;
  threadId: string;
  role: "user" | "assistant";
  content: string;
  sources: ChatSource[];
  /** The user's rating of this message, if any (spelled out, not {@link FeedbackRating}, so it can be inlined). */
  feedback: "up" | "down" | null;
  createdAt: string;
  /** How the answer ended (`done` for questions). */
  status: "done" | "stopped";
  /** Earlier answers to the same question, oldest first, which regenerating replaced (empty for questions). */
  earlierVersions: AnswerVersionRecord[];
};

/** Options for {@link ThreadStore.saveExchange}. */
export interface SaveExchangeOptions {
  /** Workspace the thread belongs to (its id). */
  workspaceId: string;
  /** Existing thread to append to; a new thread is created when absent. */
  threadId?: string | undefined;
  /** The user a new thread belongs to; null for none (only admins see such threads). */
  userId?: string | null | undefined;
  /** Title for a new thread. */
  title: string;
  /** The user's question. */
  question: string;
  /** The assistant's answer (partial when the client went away mid-stream). */
  answer: string;
  /** Passages the answer was given. */
  sources: ChatSource[];
  /** How the answer ended. Default `done`. */
  status?: AnswerStatus | undefined;
  /**
   * Regenerating: when the thread's last question is `question`, this answer becomes its answer instead of the
   * question being stored a second time; the old answer is kept as an earlier version (its feedback goes).
   * Otherwise the exchange is appended.
   */
  replaceLastAnswer?: boolean | undefined;
}

/** Threads, messages and feedback in the server's SQLite database. */
export interface ThreadStore {
  /**
   * Threads of a workspace, most recently active first; only those of `userId` when given (undefined lists all, for
   * admins).
   */
  listThreads(workspaceId: string, userId?: string): ThreadRecord[];
  /** The id of the user a thread belongs to: null for a thread from before accounts, undefined when there is none. */
  threadOwner(threadId: string): string | null | undefined;
  /** The thread a message belongs to, or undefined. */
  threadOfMessage(messageId: string): string | undefined;
  /** A thread by id, or undefined. */
  getThread(threadId: string): ThreadRecord | undefined;
  /** A thread by id; throws `not_found:thread`. */
  requireThread(threadId: string): ThreadRecord;
  /** Messages of a thread, oldest first. */
  listMessages(threadId: string): MessageRecord[];
  /** The last `limit` messages of a thread as history, oldest first. */
  recentHistory(threadId: string, limit: number): HistoryMessage[];
  /** The newest user message of a thread, or undefined when it has none. */
  lastQuestion(threadId: string): { id: string; content: string } | undefined;
  /** The last `limit` messages before the thread's newest question as history, oldest first (for regenerating). */
  historyBeforeLastQuestion(threadId: string, limit: number): HistoryMessage[];
  /**
   * Stores a question and its answer in one transaction, creating the thread when needed; with `replaceLastAnswer`
   * replaces the answer to the thread's last question when that question is `question`, keeping the old one as an
   * earlier version.
   */
  saveExchange(options: SaveExchangeOptions): {
    threadId: string;
    userMessageId: string;
    assistantMessageId: string;
  };
  /** Renames a thread; throws `not_found:thread`. */
  renameThread(threadId: string, title: string): ThreadRecord;
  /** Deletes a thread with its messages and feedback; throws `not_found:thread`. */
  deleteThread(threadId: string): void;
  /** Records (or replaces) the rating of a message; throws `not_found:message`. */
  setFeedback(messageId: string, rating: FeedbackRating): void;
  /** Deletes every thread of a workspace with their messages and feedback; returns how many threads went. */
  deleteForWorkspace(workspaceId: string): number;
  /** Ids of the workspaces that have threads (to find those of a workspace deleted by a run that crashed). */
  workspaceIds(): string[];
}

interface ThreadRow {
  id: string;
  workspace_id: string;
  title: string;
  created_at: string;
  updated_at: string;
  owner_id: string | null;
  owner_email: string | null;
  last_status: AnswerStatus | null;
}

interface MessageRow {
  id: string;
  thread_id: string;
  role: "user" | "assistant";
  content: string;
  sources: string | null;
  created_at: string;
  status: AnswerStatus;
  rating: FeedbackRating | null;
}

interface VersionRow {
  id: string;
  question_id: string;
  content: string;
  sources: string | null;
  status: AnswerStatus;
  created_at: string;
}

function toThread(row: ThreadRow): ThreadRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    title: row.title,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    owner: row.owner_id && row.owner_email ? { id: row.owner_id, email: row.owner_email } : null,
    stopped: row.last_status === "stopped",
  };
}

function parseSources(json: string | null): ChatSource[] {
  if (!json) return [];
  try {
    const parsed: unknown = JSON.parse(json);
    return Array.isArray(parsed) ? (parsed as ChatSource[]) : [];
  } catch {
    return [];
  }
}

/** Longest thread title made from a first question, in characters. */
const titleLength = 60;

/** A thread title from its first question: one line, at most {@link titleLength} characters. */
export function titleFromQuestion(question: string): string {
  const line = question.replace(/\s+/g, " ").trim();
  if (line.length === 0) return "New chat";
  const characters = [...line];
  return characters.length <= titleLength
    ? line
    : `${characters
        .slice(0, titleLength - 1)
        .join("")
        .trimEnd()}…`;
}

/**
 * Creates the thread store over the server's database (tables `threads`, `messages`, `feedback` from the server
 * migrations). Timestamps are ISO strings; a message inserted in the same millisecond as another keeps its order
 * by insertion (rowid).
 */
export function createThreadStore(database: Database): ThreadStore {
  // A thread with its owner's email and the status of its newest answer.
  const threadColumns = `SELECT t.id, t.workspace_id, t.title, t.created_at, t.updated_at,
         u.id AS owner_id, u.email AS owner_email,
         (SELECT m.status FROM messages m WHERE m.thread_id = t.id AND m.role = 'assistant'
           ORDER BY m.created_at DESC, m.rowid DESC LIMIT 1) AS last_status
    FROM threads t LEFT JOIN users u ON u.id = t.user_id`;
  const selectThreads = database.prepare<[string], ThreadRow>(
    `${threadColumns} WHERE t.workspace_id = ? ORDER BY t.updated_at DESC, t.rowid DESC`,
  );
  const selectUserThreads = database.prepare<[string, string], ThreadRow>(
    `${threadColumns} WHERE t.workspace_id = ? AND t.user_id = ? ORDER BY t.updated_at DESC, t.rowid DESC`,
  );
  const selectOwner = database.prepare<[string], { user_id: string | null }>(
    "SELECT user_id FROM threads WHERE id = ?",
  );
  const selectThreadOfMessage = database.prepare<[string], { thread_id: string }>(
    "SELECT thread_id FROM messages WHERE id = ?",
  );
  const selectThread = database.prepare<[string], ThreadRow>(`${threadColumns} WHERE t.id = ?`);
  const selectMessages = database.prepare<[string], MessageRow>(
    `SELECT m.id, m.thread_id, m.role, m.content, m.sources, m.created_at, m.status, f.rating
       FROM messages m LEFT JOIN feedback f ON f.message_id = m.id
      WHERE m.thread_id = ? ORDER BY m.created_at, m.rowid`,
  );
  const selectVersions = database.prepare<[string], VersionRow>(
    `SELECT v.id, v.question_id, v.content, v.sources, v.status, v.created_at
       FROM answer_versions v JOIN messages q ON q.id = v.question_id
      WHERE q.thread_id = ? ORDER BY v.created_at, v.rowid`,
  );
  const selectRecent = database.prepare<[string, number], { role: "user" | "assistant"; content: string }>(
    `SELECT role, content FROM (
       SELECT role, content, created_at, rowid FROM messages WHERE thread_id = ? ORDER BY created_at DESC, rowid DESC LIMIT ?
     ) ORDER BY created_at, rowid`,
  );
  const selectLastQuestion = database.prepare<[string], { id: string; content: string; created_at: string }>(
    "SELECT id, content, created_at FROM messages WHERE thread_id = ? AND role = 'user' ORDER BY created_at DESC, rowid DESC LIMIT 1",
  );
  const selectRecentBefore = database.prepare<
    [string, string, string, string, number],
    { role: "user" | "assistant"; content: string }
  >(
    `SELECT role, content FROM (
       SELECT role, content, created_at, rowid FROM messages
        WHERE thread_id = ? AND (created_at < ? OR (created_at = ? AND rowid < (SELECT rowid FROM messages WHERE id = ?)))
        ORDER BY created_at DESC, rowid DESC LIMIT ?
     ) ORDER BY created_at, rowid`,
  );
  // The messages after a question: its answer (normally one), replaced when the answer is regenerated.
  const laterMessages = `SELECT id FROM messages
      WHERE thread_id = @threadId AND (created_at > @createdAt OR (created_at = @createdAt AND rowid > (SELECT rowid FROM messages WHERE id = @questionId)))`;
  const deleteFeedbackAfter = database.prepare(`DELETE FROM feedback WHERE message_id IN (${laterMessages})`);
  const keepVersionsAfter = database.prepare(
    `INSERT INTO answer_versions (id, question_id, content, sources, status, created_at)
     SELECT id, @questionId, content, sources, status, created_at FROM messages
      WHERE role = 'assistant' AND id IN (${laterMessages})`,
  );
  const deleteMessagesAfter = database.prepare(`DELETE FROM messages WHERE id IN (${laterMessages})`);
  const insertThread = database.prepare(
    "INSERT INTO threads (id, workspace_id, user_id, title, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  );
  const touchThread = database.prepare("UPDATE threads SET updated_at = ? WHERE id = ?");
  const insertMessage = database.prepare(
    "INSERT INTO messages (id, thread_id, role, content, sources, created_at, status) VALUES (?, ?, ?, ?, ?, ?, ?)",
  );
  const updateTitle = database.prepare("UPDATE threads SET title = ?, updated_at = ? WHERE id = ?");
  const deleteFeedbackOfThread = database.prepare(
    "DELETE FROM feedback WHERE message_id IN (SELECT id FROM messages WHERE thread_id = ?)",
  );
  const deleteVersionsOfThread = database.prepare(
    "DELETE FROM answer_versions WHERE question_id IN (SELECT id FROM messages WHERE thread_id = ?)",
  );
  const deleteMessagesOfThread = database.prepare("DELETE FROM messages WHERE thread_id = ?");
  const deleteThreadRow = database.prepare("DELETE FROM threads WHERE id = ?");
  const workspaceThreads = "SELECT id FROM threads WHERE workspace_id = ?";
  const deleteFeedbackOfWorkspace = database.prepare(
    `DELETE FROM feedback WHERE message_id IN (SELECT id FROM messages WHERE thread_id IN (${workspaceThreads}))`,
  );
  const deleteVersionsOfWorkspace = database.prepare(
    `DELETE FROM answer_versions WHERE question_id IN (SELECT id FROM messages WHERE thread_id IN (${workspaceThreads}))`,
  );
  const deleteMessagesOfWorkspace = database.prepare(
    `DELETE FROM messages WHERE thread_id IN (${workspaceThreads})`,
  );
  const deleteThreadsOfWorkspace = database.prepare("DELETE FROM threads WHERE workspace_id = ?");
  const selectWorkspaceIds = database.prepare<[], { workspace_id: string }>(
    "SELECT DISTINCT workspace_id FROM threads",
  );
  const selectMessageExists = database.prepare<[string], { id: string }>(
    "SELECT id FROM messages WHERE id = ?",
  );
  const deleteFeedback = database.prepare("DELETE FROM feedback WHERE message_id = ?");
  const insertFeedback = database.prepare(
    "INSERT INTO feedback (message_id, rating, created_at) VALUES (?, ?, ?)",
  );

  const requireThread = (threadId: string): ThreadRecord => {
    const row = selectThread.get(threadId);
    if (!row) throw new ZhikuError("not_found:thread", `No thread with id "${threadId}"`);
    return toThread(row);
  };

  const saveExchange = database.transaction((options: SaveExchangeOptions) => {
    const now = new Date().toISOString();
    let threadId = options.threadId;
    if (threadId) touchThread.run(now, threadId);
    else {
      threadId = randomUUID();
      insertThread.run(threadId, options.workspaceId, options.userId ?? null, options.title, now, now);
    }
    const assistantMessageId = randomUUID();
    const last = options.replaceLastAnswer && options.threadId ? selectLastQuestion.get(threadId) : undefined;
    let userMessageId: string;
    if (last && last.content === options.question) {
      // Regenerating: the question stays (same id); its old answer becomes an earlier version, its feedback goes.
      userMessageId = last.id;
      const range = { threadId, createdAt: last.created_at, questionId: last.id };
      deleteFeedbackAfter.run(range);
      keepVersionsAfter.run(range);
      deleteMessagesAfter.run(range);
    } else {
      userMessageId = randomUUID();
      insertMessage.run(userMessageId, threadId, "user", options.question, "[]", now, "done");
    }
    insertMessage.run(
      assistantMessageId,
      threadId,
      "assistant",
      options.answer,
      JSON.stringify(options.sources),
      now,
      options.status ?? "done",
    );
    return { threadId, userMessageId, assistantMessageId };
  });

  return {
    listThreads: (workspaceId, userId) =>
      (userId === undefined
        ? selectThreads.all(workspaceId)
        : selectUserThreads.all(workspaceId, userId)
      ).map(toThread),
    threadOwner: (threadId) => {
      const row = selectOwner.get(threadId);
      return row ? row.user_id : undefined;
    },
    threadOfMessage: (messageId) => selectThreadOfMessage.get(messageId)?.thread_id,
    getThread: (threadId) => {
      const row = selectThread.get(threadId);
      return row ? toThread(row) : undefined;
    },
    requireThread,
    listMessages: (threadId) => {
      const versions = new Map<string, AnswerVersionRecord[]>();
      for (const row of selectVersions.all(threadId)) {
        const list = versions.get(row.question_id) ?? [];
        list.push({
          id: row.id,
          content: row.content,
          sources: parseSources(row.sources),
          status: row.status,
          createdAt: row.created_at,
        });
        versions.set(row.question_id, list);
      }
      // Earlier versions belong to the first answer after their question.
      let question: string | undefined;
      return selectMessages.all(threadId).map((row): MessageRecord => {
        let earlierVersions: AnswerVersionRecord[] = [];
        if (row.role === "user") question = row.id;
        else if (question !== undefined) {
          earlierVersions = versions.get(question) ?? [];
          question = undefined;
        }
        return {
          id: row.id,
          threadId: row.thread_id,
          role: row.role,
          content: row.content,
          sources: parseSources(row.sources),
          feedback: row.rating ?? null,
          createdAt: row.created_at,
          status: row.status,
          earlierVersions,
        };
      });
    },
    recentHistory: (threadId, limit) =>
      selectRecent.all(threadId, limit).map((row) => ({ role: row.role, content: row.content })),
    lastQuestion: (threadId) => {
      const row = selectLastQuestion.get(threadId);
      return row ? { id: row.id, content: row.content } : undefined;
    },
    historyBeforeLastQuestion: (threadId, limit) => {
      const last = selectLastQuestion.get(threadId);
      if (!last) return [];
      return selectRecentBefore
        .all(threadId, last.created_at, last.created_at, last.id, limit)
        .map((row) => ({ role: row.role, content: row.content }));
    },
    saveExchange: (options) => saveExchange.immediate(options),
    renameThread: (threadId, title) => {
      requireThread(threadId);
      updateTitle.run(title, new Date().toISOString(), threadId);
      return requireThread(threadId);
    },
    deleteThread: (threadId) => {
      requireThread(threadId);
      database.transaction(() => {
        deleteFeedbackOfThread.run(threadId);
        deleteVersionsOfThread.run(threadId);
        deleteMessagesOfThread.run(threadId);
        deleteThreadRow.run(threadId);
      })();
    },
    setFeedback: (messageId, rating) => {
      if (!selectMessageExists.get(messageId)) {
        throw new ZhikuError("not_found:message", `No message with id "${messageId}"`);
      }
      database.transaction(() => {
        deleteFeedback.run(messageId);
        insertFeedback.run(messageId, rating, new Date().toISOString());
      })();
    },
    deleteForWorkspace: (workspaceId) =>
      database.transaction(() => {
        deleteFeedbackOfWorkspace.run(workspaceId);
        deleteVersionsOfWorkspace.run(workspaceId);
        deleteMessagesOfWorkspace.run(workspaceId);
        return deleteThreadsOfWorkspace.run(workspaceId).changes;
      })(),
    workspaceIds: () => selectWorkspaceIds.all().map((row) => row.workspace_id),
  };
}
