import { randomUUID } from "node:crypto";
import { createStatementCache, type StatementCache } from "@zhiku/ingest";
import type { Database } from "better-sqlite3";

/** Lifecycle of an ingestion job. */
export type JobStatus = "queued" | "running" | "done" | "failed" | "cancelled";

/** One background ingestion of one uploaded version of a document. */
export interface JobRecord {
  id: string;
  workspaceId: string;
  documentId: string;
  /** SHA-256 of the original in the file store. */
  fileHash: string;
  /** Document name, as uploaded. */
  name: string;
  status: JobStatus;
  /** Attempts started so far (a resumed or retried run counts again). */
  attempts: number;
  /** Why the last attempt failed. */
  error: string | null;
  /** Earliest time a queued job may run again (backoff after a retryable failure). */
  runAfter: string | null;
  createdAt: string;
  updatedAt: string;
}

interface JobRow {
  id: string;
  workspace_id: string;
  document_id: string;
  file_hash: string;
  name: string;
  status: JobStatus;
  attempts: number;
  error: string | null;
  run_after: string | null;
  created_at: string;
  updated_at: string;
}

function toRecord(row: JobRow): JobRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    documentId: row.document_id,
    fileHash: row.file_hash,
    name: row.name,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    runAfter: row.run_after,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The fields that change as a job moves along. */
export interface JobPatch {
  status?: JobStatus;
  attempts?: number;
  error?: string | null;
  runAfter?: string | null;
}

/**
 * Reads and writes the `jobs` table; no logic beyond SQL. Progress is not stored (the queue keeps it in memory):
 * every write on the server's event loop may wait for the database lock an ingest worker or the CLI holds.
 */
export class JobStore {
  readonly #db: Database;
  readonly #statement: StatementCache;

  constructor(db: Database) {
    this.#db = db;
    this.#statement = createStatementCache(db);
  }

  /**
   * Runs `work` in one IMMEDIATE transaction of the database: it takes the write lock up front, since a deferred
   * transaction that reads first cannot upgrade while an ingest worker writes (SQLITE_BUSY without waiting).
   */
  transaction<Result>(work: () => Result): Result {
    return this.#db.transaction(work).immediate();
  }

  /** Counts of unfinished jobs by status (the metrics' queue depth). */
  countUnfinished(): { queued: number; running: number } {
    const rows = this.#statement(
      "SELECT status, COUNT(*) AS count FROM jobs WHERE status IN ('queued', 'running') GROUP BY status",
    ).all() as { status: string; count: number }[];
    const counts = new Map(rows.map((row) => [row.status, row.count]));
    return { queued: counts.get("queued") ?? 0, running: counts.get("running") ?? 0 };
  }

  /** Inserts a queued job. Call inside the transaction that queues the document, so neither exists alone. */
  insert(input: { workspaceId: string; documentId: string; fileHash: string; name: string }): JobRecord {
    const now = new Date().toISOString();
    const id = randomUUID();
    this.#statement(
      `INSERT INTO jobs (id, workspace_id, document_id, file_hash, name, status, attempts, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', 0, ?, ?)`,
    ).run(id, input.workspaceId, input.documentId, input.fileHash, input.name, now, now);
    return this.get(id)!;
  }

  /** The job with this id. */
  get(id: string): JobRecord | undefined {
    const row = this.#statement("SELECT * FROM jobs WHERE id = ?").get(id) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** The newest job of a document. */
  latestForDocument(documentId: string): JobRecord | undefined {
    const row = this.#statement(
      "SELECT * FROM jobs WHERE document_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
    ).get(documentId) as JobRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** Jobs of a document that have not finished (queued or running). */
  unfinishedForDocument(documentId: string): JobRecord[] {
    const rows = this.#statement(
      "SELECT * FROM jobs WHERE document_id = ? AND status IN ('queued', 'running') ORDER BY rowid",
    ).all(documentId) as JobRow[];
    return rows.map(toRecord);
  }

  /** Jobs with the given status, oldest first. */
  listByStatus(status: JobStatus): JobRecord[] {
    const rows = this.#statement("SELECT * FROM jobs WHERE status = ? ORDER BY created_at, rowid").all(
      status,
    ) as JobRow[];
    return rows.map(toRecord);
  }

  /** Jobs of a workspace with the given status. */
  listForWorkspace(workspaceId: string, status: JobStatus): JobRecord[] {
    const rows = this.#statement(
      "SELECT * FROM jobs WHERE workspace_id = ? AND status = ? ORDER BY created_at, rowid",
    ).all(workspaceId, status) as JobRow[];
    return rows.map(toRecord);
  }

  /**
   * The oldest queued job whose backoff has passed, skipping jobs of `busyDocumentIds` (two versions of one
   * document never run at once: the newer waits for the older) and of documents with a running job.
   */
  nextRunnable(now: Date, busyDocumentIds: ReadonlySet<string>): JobRecord | undefined {
    const rows = this.#statement(
      `SELECT * FROM jobs AS queued
         WHERE status = 'queued' AND (run_after IS NULL OR run_after <= ?)
           AND NOT EXISTS (
             SELECT 1 FROM jobs AS running WHERE running.document_id = queued.document_id AND running.status = 'running'
           )
         ORDER BY created_at, rowid LIMIT ?`,
    ).all(now.toISOString(), busyDocumentIds.size + 1) as JobRow[];
    const row = rows.find((candidate) => !busyDocumentIds.has(candidate.document_id));
    return row ? toRecord(row) : undefined;
  }

  /** The earliest `run_after` among queued jobs still waiting out a backoff. */
  nextWakeUp(now: Date): Date | undefined {
    const row = this.#statement(
      "SELECT MIN(run_after) AS at FROM jobs WHERE status = 'queued' AND run_after > ?",
    ).get(now.toISOString()) as { at: string | null };
    return row.at ? new Date(row.at) : undefined;
  }

  /** Applies a patch and bumps `updated_at`; returns the updated job. */
  update(id: string, patch: JobPatch): JobRecord | undefined {
    const sets: string[] = ["updated_at = @updatedAt"];
    const values: Record<string, unknown> = { id, updatedAt: new Date().toISOString() };
    if (patch.status !== undefined) {
      sets.push("status = @status");
      values.status = patch.status;
    }
    if (patch.attempts !== undefined) {
      sets.push("attempts = @attempts");
      values.attempts = patch.attempts;
    }
    if (patch.error !== undefined) {
      sets.push("error = @error");
      values.error = patch.error;
    }
    if (patch.runAfter !== undefined) {
      sets.push("run_after = @runAfter");
      values.runAfter = patch.runAfter;
    }
    this.#statement(`UPDATE jobs SET ${sets.join(", ")} WHERE id = @id`).run(values);
    return this.get(id);
  }

  /** Puts jobs left `running` by a stopped process back in the queue; returns how many. */
  requeueRunning(): number {
    return this.#statement(
      "UPDATE jobs SET status = 'queued', run_after = NULL, updated_at = ? WHERE status = 'running'",
    ).run(new Date().toISOString()).changes;
  }

  /** Removes every job of a document. */
  deleteForDocument(documentId: string): void {
    this.#statement("DELETE FROM jobs WHERE document_id = ?").run(documentId);
  }

  /** Ids of the workspaces that have jobs (to find those of a workspace deleted by a run that crashed). */
  workspaceIds(): string[] {
    return (
      this.#statement("SELECT DISTINCT workspace_id FROM jobs").all() as { workspace_id: string }[]
    ).map((row) => row.workspace_id);
  }

  /** Removes every job of a workspace. */
  deleteForWorkspace(workspaceId: string): void {
    this.#statement("DELETE FROM jobs WHERE workspace_id = ?").run(workspaceId);
  }
}
