import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import type { LastSync, SourceKind, SourceRecord, SourceSpec, SyncCounts } from "./source-types.js";

interface SourceRow {
  id: string;
  workspace_id: string;
  kind: SourceKind;
  name: string;
  config: string;
  interval_minutes: number;
  created_at: string;
  updated_at: string;
  sync_status: LastSync["status"] | null;
  sync_started_at: string | null;
  sync_finished_at: string | null;
  added: number;
  updated: number;
  deleted: number;
  unchanged: number;
  failed: number;
  last_error: string | null;
}

/** What a source put into its workspace for one item. */
export interface SourceDocument {
  /** The item's key: a relative path or a URL. */
  key: string;
  /** SHA-256 of the content ingested last. */
  contentHash: string;
  documentId: string;
}

function toRecord(row: SourceRow): SourceRecord {
  const spec = { kind: row.kind, config: JSON.parse(row.config) } as SourceSpec;
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    ...spec,
    intervalMinutes: row.interval_minutes,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    lastSync:
      row.sync_status === null || row.sync_started_at === null
        ? null
        : {
            status: row.sync_status,
            startedAt: row.sync_started_at,
            finishedAt: row.sync_finished_at,
            added: row.added,
            updated: row.updated,
            deleted: row.deleted,
            unchanged: row.unchanged,
            failed: row.failed,
            error: row.last_error,
          },
  };
}

/**
 * The `sources` and `source_documents` tables: a workspace's synced sources with their last sync, and which
 * document each item of a source became, with the hash of its content.
 */
export class SourceStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Runs `work` in one transaction. */
  transaction<Result>(work: () => Result): Result {
    return this.#db.transaction(work)();
  }

  /** Stores a new source. */
  create(input: {
    workspaceId: string;
    name: string;
    spec: SourceSpec;
    intervalMinutes: number;
    createdBy: string | null;
  }): SourceRecord {
    const now = new Date().toISOString();
    const id = randomUUID();
    this.#db
      .prepare(
        "INSERT INTO sources (id, workspace_id, kind, name, config, interval_minutes, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        id,
        input.workspaceId,
        input.spec.kind,
        input.name,
        JSON.stringify(input.spec.config),
        input.intervalMinutes,
        input.createdBy,
        now,
        now,
      );
    return this.get(id)!;
  }

  /** The source with this id. */
  get(id: string): SourceRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM sources WHERE id = ?").get(id) as SourceRow | undefined;
    return row ? toRecord(row) : undefined;
  }

  /** A workspace's sources, by name. */
  listForWorkspace(workspaceId: string): SourceRecord[] {
    const rows = this.#db
      .prepare("SELECT * FROM sources WHERE workspace_id = ? ORDER BY name, created_at")
      .all(workspaceId) as SourceRow[];
    return rows.map(toRecord);
  }

  /** Every source (the scheduler and the folder watchers). */
  listAll(): SourceRecord[] {
    return (this.#db.prepare("SELECT * FROM sources ORDER BY created_at").all() as SourceRow[]).map(toRecord);
  }

  /** Replaces a source's name, settings or schedule. */
  update(
    id: string,
    patch: { name?: string; config?: SourceSpec["config"]; intervalMinutes?: number },
  ): SourceRecord {
    const current = this.get(id);
    if (!current) throw new Error(`No source ${id}`);
    this.#db
      .prepare("UPDATE sources SET name = ?, config = ?, interval_minutes = ?, updated_at = ? WHERE id = ?")
      .run(
        patch.name ?? current.name,
        JSON.stringify(patch.config ?? current.config),
        patch.intervalMinutes ?? current.intervalMinutes,
        new Date().toISOString(),
        id,
      );
    return this.get(id)!;
  }

  /** Deletes a source with its item rows. */
  delete(id: string): void {
    this.#db.prepare("DELETE FROM sources WHERE id = ?").run(id);
  }

  /** Records that a sync started: status `running`, counts zero, no error. */
  markSyncStarted(id: string, at: Date): void {
    this.#db
      .prepare(
        "UPDATE sources SET sync_status = 'running', sync_started_at = ?, sync_finished_at = NULL, added = 0, updated = 0, deleted = 0, unchanged = 0, failed = 0, last_error = NULL WHERE id = ?",
      )
      .run(at.toISOString(), id);
  }

  /** Records how a sync ended. */
  markSyncFinished(
    id: string,
    outcome: SyncCounts & { status: "done" | "failed"; error: string | null; at: Date },
  ): void {
    this.#db
      .prepare(
        "UPDATE sources SET sync_status = ?, sync_finished_at = ?, added = ?, updated = ?, deleted = ?, unchanged = ?, failed = ?, last_error = ? WHERE id = ?",
      )
      .run(
        outcome.status,
        outcome.at.toISOString(),
        outcome.added,
        outcome.updated,
        outcome.deleted,
        outcome.unchanged,
        outcome.failed,
        outcome.error,
        id,
      );
  }

  /** Syncs a stopped process left `running` end as failed, saying so. Returns how many. */
  failInterrupted(at: Date): number {
    return this.#db
      .prepare(
        "UPDATE sources SET sync_status = 'failed', sync_finished_at = ?, last_error = 'The server stopped during the sync' WHERE sync_status = 'running'",
      )
      .run(at.toISOString()).changes;
  }

  /** The items of a source, by key. */
  documentsOf(sourceId: string): Map<string, SourceDocument> {
    const rows = this.#db
      .prepare("SELECT key, content_hash, document_id FROM source_documents WHERE source_id = ?")
      .all(sourceId) as { key: string; content_hash: string; document_id: string }[];
    return new Map(
      rows.map((row) => [
        row.key,
        { key: row.key, contentHash: row.content_hash, documentId: row.document_id },
      ]),
    );
  }

  /** How many documents a source holds. */
  countDocuments(sourceId: string): number {
    return (
      this.#db
        .prepare("SELECT COUNT(*) AS count FROM source_documents WHERE source_id = ?")
        .get(sourceId) as {
        count: number;
      }
    ).count;
  }

  /** Records the content an item was queued with and its document. */
  putDocument(sourceId: string, document: SourceDocument): void {
    this.#db
      .prepare(
        "INSERT INTO source_documents (source_id, key, content_hash, document_id) VALUES (?, ?, ?, ?) ON CONFLICT (source_id, key) DO UPDATE SET content_hash = excluded.content_hash, document_id = excluded.document_id",
      )
      .run(sourceId, document.key, document.contentHash, document.documentId);
  }

  /** Forgets an item of a source. */
  removeDocument(sourceId: string, key: string): void {
    this.#db.prepare("DELETE FROM source_documents WHERE source_id = ? AND key = ?").run(sourceId, key);
  }

  /** Ids of the workspaces that have sources (finishing interrupted workspace deletions). */
  workspaceIds(): string[] {
    return (
      this.#db.prepare("SELECT DISTINCT workspace_id FROM sources").all() as { workspace_id: string }[]
    ).map((row) => row.workspace_id);
  }

  /** Deletes every source of a workspace with its item rows. */
  deleteWorkspace(workspaceId: string): void {
    this.#db.prepare("DELETE FROM sources WHERE workspace_id = ?").run(workspaceId);
  }
}
