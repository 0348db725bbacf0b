import { applyMigrations, type Migration } from "@zhiku/ingest";
import type { Database } from "better-sqlite3";

/** The `scope` under which the server records its migrations in `schema_migrations` (ingest uses its own). */
export const serverMigrationScope = "server";

/**
 * The server's tables on the shared knowledge-base database. Rows reference the ingest package's
 * workspaces and documents by id without foreign keys, so either side can evolve its schema; the server
 * deletes its rows when it deletes a workspace or a document.
 */
export const serverMigrations: Migration[] = [
  {
    version: 1,
    description: "jobs, threads, messages, feedback",
    sql: `
      CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        document_id TEXT NOT NULL,
        file_hash TEXT NOT NULL,
        name TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('queued', 'running', 'done', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        error TEXT,
        progress TEXT,
        run_after TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX jobs_status_created ON jobs (status, created_at);
      CREATE INDEX jobs_document ON jobs (document_id);
      CREATE INDEX jobs_workspace ON jobs (workspace_id);

      CREATE TABLE threads (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        title TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX threads_workspace_updated ON threads (workspace_id, updated_at);

      CREATE TABLE messages (
        id TEXT PRIMARY KEY,
        thread_id TEXT NOT NULL REFERENCES threads (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('system', 'user', 'assistant')),
        content TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]',
        created_at TEXT NOT NULL
      );
      CREATE INDEX messages_thread_created ON messages (thread_id, created_at);

      CREATE TABLE feedback (
        message_id TEXT PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        rating TEXT NOT NULL CHECK (rating IN ('up', 'down')),
        created_at TEXT NOT NULL
      );
    `,
  },
  {
    version: 2,
    description: "accounts: users, sessions, workspace members, API keys, audit log; threads get an owner",
    sql: `
      CREATE TABLE users (
        id TEXT PRIMARY KEY,
        email TEXT NOT NULL UNIQUE COLLATE NOCASE,
        password_hash TEXT NOT NULL,
        role TEXT NOT NULL CHECK (role IN ('admin', 'member')),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      -- Only the SHA-256 of a session id is stored: a copy of the database does not sign anyone in.
      CREATE TABLE sessions (
        id_hash TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        created_at TEXT NOT NULL,
        last_seen_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX sessions_user ON sessions (user_id);

      CREATE TABLE workspace_members (
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        role TEXT NOT NULL CHECK (role IN ('owner', 'editor', 'viewer')),
        created_at TEXT NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      );
      CREATE INDEX workspace_members_user ON workspace_members (user_id);

      CREATE TABLE api_keys (
        id TEXT PRIMARY KEY,
        user_id TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        name TEXT NOT NULL,
        workspace_id TEXT,
        prefix TEXT NOT NULL,
        key_hash TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL,
        last_used_at TEXT,
        revoked_at TEXT
      );
      CREATE INDEX api_keys_user ON api_keys (user_id);

      CREATE TABLE audit_events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor_id TEXT,
        actor_email TEXT,
        action TEXT NOT NULL,
        target TEXT,
        details TEXT NOT NULL DEFAULT '{}',
        ip TEXT
      );

      -- Threads from before accounts have no owner: only admins see them.
      ALTER TABLE threads ADD COLUMN user_id TEXT;
      CREATE INDEX threads_user ON threads (user_id);
    `,
  },
  {
    version: 3,
    description: "widget keys: public keys that let a web page embed a workspace's chat",
    sql: `
      CREATE TABLE widget_keys (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        name TEXT NOT NULL,
        allowed_origins TEXT NOT NULL,
        requests_per_minute INTEGER NOT NULL,
        created_by TEXT,
        created_at TEXT NOT NULL,
        revoked_at TEXT
      );
      CREATE INDEX widget_keys_workspace ON widget_keys (workspace_id);
    `,
  },
  {
    version: 5,
    description: "integrations: chat bots (Slack, Feishu/Lark, DingTalk, WeCom) answering from a workspace",
    sql: `
      -- settings: the platform's non-secret fields (app id, API base URL) as JSON; secrets: its credentials as JSON,
      -- sealed with AES-256-GCM (SecretBox) under the server's secret key.
      CREATE TABLE integrations (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        platform TEXT NOT NULL CHECK (platform IN ('slack', 'feishu', 'dingtalk', 'wecom')),
        name TEXT NOT NULL,
        mode TEXT NOT NULL CHECK (mode IN ('query', 'chat')),
        settings TEXT NOT NULL,
        secrets TEXT NOT NULL,
        created_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX integrations_workspace ON integrations (workspace_id);

      -- One row per platform message or event id answered: a retried delivery finds its row and is not asked again.
      CREATE TABLE bot_deliveries (
        integration_id TEXT NOT NULL,
        delivery_id TEXT NOT NULL,
        received_at TEXT NOT NULL,
        PRIMARY KEY (integration_id, delivery_id)
      );
      CREATE INDEX bot_deliveries_received ON bot_deliveries (received_at);
    `,
  },
  {
    // Version 4 was never used; applyMigrations applies whatever is missing, so the gap is harmless.
    version: 6,
    description: "chat answers: a stopped status, and the earlier versions of a regenerated answer",
    sql: `
      -- done: the model finished; stopped: the user stopped it (or the client left) and the answer is partial.
      ALTER TABLE messages ADD COLUMN status TEXT NOT NULL DEFAULT 'done' CHECK (status IN ('done', 'stopped'));

      -- The answers a regenerated answer replaced, by the question they answered (which keeps its id).
      CREATE TABLE answer_versions (
        id TEXT PRIMARY KEY,
        question_id TEXT NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
        content TEXT NOT NULL,
        sources TEXT NOT NULL DEFAULT '[]',
        status TEXT NOT NULL CHECK (status IN ('done', 'stopped')),
        created_at TEXT NOT NULL
      );
      CREATE INDEX answer_versions_question ON answer_versions (question_id, created_at);
    `,
  },
  {
    version: 7,
    description: "sources: folders, websites and Git repositories a workspace keeps in sync",
    sql: `
      -- config: the kind's settings as JSON (folder path; start URL and limits; repository URL and branch).
      -- interval_minutes: how often the scheduler syncs it; 0 only on demand (and, for a folder, on changes).
      -- The last sync's outcome is kept on the row: when it ran, how it ended, its counts and its last error.
      CREATE TABLE sources (
        id TEXT PRIMARY KEY,
        workspace_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('folder', 'website', 'git')),
        name TEXT NOT NULL,
        config TEXT NOT NULL,
        interval_minutes INTEGER NOT NULL,
        created_by TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        sync_status TEXT CHECK (sync_status IN ('running', 'done', 'failed')),
        sync_started_at TEXT,
        sync_finished_at TEXT,
        added INTEGER NOT NULL DEFAULT 0,
        updated INTEGER NOT NULL DEFAULT 0,
        deleted INTEGER NOT NULL DEFAULT 0,
        unchanged INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        last_error TEXT
      );
      CREATE INDEX sources_workspace ON sources (workspace_id);

      -- What a source put into its workspace: one row per item (a path or a URL), with the hash of the content
      -- ingested last, so an unchanged item is skipped and a vanished one's document deleted.
      CREATE TABLE source_documents (
        source_id TEXT NOT NULL REFERENCES sources (id) ON DELETE CASCADE,
        key TEXT NOT NULL,
        content_hash TEXT NOT NULL,
        document_id TEXT NOT NULL,
        PRIMARY KEY (source_id, key)
      );
      CREATE INDEX source_documents_document ON source_documents (document_id);
    `,
  },
  {
    version: 8,
    description:
      "integrations: switched off and on by an admin; when each bot last answered, and its last error",
    sql: `
      -- enabled: 0 while an admin has switched the bot off (its callbacks are verified and acknowledged, not answered).
      ALTER TABLE integrations ADD COLUMN enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1));
      -- When the bot last took a question, and why answering it failed (null when it was answered).
      ALTER TABLE integrations ADD COLUMN last_activity_at TEXT;
      ALTER TABLE integrations ADD COLUMN last_error TEXT;
    `,
  },
];

/** Applies the server's own migrations ({@link serverMigrations}) to the knowledge-base database. */
export function migrateServerDatabase(db: Database): number[] {
  return applyMigrations(db, serverMigrationScope, serverMigrations);
}
