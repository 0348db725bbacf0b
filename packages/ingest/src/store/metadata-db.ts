import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import BetterSqlite3, { type Database } from "better-sqlite3";
import { applyMigrations, type Migration } from "./migrations.js";

/** Schema of the tables the ingest package owns in the shared SQLite file. */
export const INGEST_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: "workspaces, documents, line fingerprints",
    sql: `
      CREATE TABLE workspaces (
        id TEXT PRIMARY KEY,
        slug TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        embed_model TEXT,
        embed_dimension INTEGER,
        chunk_table TEXT,
        settings TEXT NOT NULL DEFAULT '{}',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE TABLE documents (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        type TEXT,
        bytes INTEGER NOT NULL DEFAULT 0,
        content_hash TEXT,
        file_hash TEXT,
        status TEXT NOT NULL CHECK (status IN ('queued', 'processing', 'ready', 'failed')),
        error TEXT,
        chunks INTEGER NOT NULL DEFAULT 0,
        title TEXT,
        byline TEXT,
        pages INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (workspace_id, name)
      );
      CREATE INDEX documents_workspace ON documents (workspace_id, status);
      CREATE TABLE line_fingerprints (
        workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
        fingerprint TEXT NOT NULL,
        document_id TEXT NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        PRIMARY KEY (workspace_id, fingerprint, document_id)
      ) WITHOUT ROWID;
      CREATE INDEX line_fingerprints_document ON line_fingerprints (document_id);
    `,
  },
  {
    version: 2,
    description: "documents.pending_hash marks a chunk write in progress",
    sql: "ALTER TABLE documents ADD COLUMN pending_hash TEXT;",
  },
  {
    version: 3,
    description: "workspaces.relevance_calibration holds what off-topic questions score there (refusal)",
    sql: "ALTER TABLE workspaces ADD COLUMN relevance_calibration TEXT;",
  },
];

/**
 * Opens (creating if needed) the SQLite file shared by the CLI and the server, in WAL mode so one
 * process can write while others read, and applies the ingest migrations.
 */
export function openMetadataDb(path: string): Database {
  mkdirSync(dirname(path), { recursive: true });
  const database = new BetterSqlite3(path);
  database.pragma("journal_mode = WAL");
  database.pragma("synchronous = NORMAL");
  database.pragma("foreign_keys = ON");
  // The CLI and the server (and its worker threads) write to the same file; wait for the lock instead of failing.
  database.pragma("busy_timeout = 10000");
  applyMigrations(database, "ingest", INGEST_MIGRATIONS);
  return database;
}
