import type { Database } from "better-sqlite3";

/** What an audit event records. */
export type AuditAction =
  | "auth.login"
  | "auth.login_failed"
  | "auth.logout"
  | "auth.setup"
  | "auth.password_changed"
  | "user.created"
  | "user.updated"
  | "user.deleted"
  | "member.added"
  | "member.removed"
  | "api_key.created"
  | "api_key.revoked"
  | "widget_key.created"
  | "widget_key.revoked"
  | "integration.created"
  | "integration.updated"
  | "integration.deleted"
  | "bot.question"
  | "document.uploaded"
  | "document.deleted"
  | "source.created"
  | "source.updated"
  | "source.deleted"
  | "source.synced"
  | "workspace.created"
  | "workspace.updated"
  | "workspace.deleted";

/** One event as `GET /api/audit` returns it. */
export interface AuditEvent {
  id: number;
  at: string;
  /** Who did it; null when nobody was signed in (a failed login). */
  actor: { id: string; email: string } | null;
  action: AuditAction;
  /** What it was done to: a user's email, a workspace slug, `slug/document name`. */
  target: string | null;
  /** Extra facts (never secrets). */
  details: Record<string, unknown>;
  /** The client's address. */
  ip: string | null;
}

/** Input of {@link AuditLog.record}. */
export interface AuditRecordInput {
  /** Who did it. */
  actor: { id: string; email: string } | null;
  /** What was done. */
  action: AuditAction;
  /** What it was done to. */
  target?: string | null;
  /** Extra facts, never secrets. */
  details?: Record<string, unknown>;
  /** The client's address. */
  ip?: string | null;
}

interface AuditRow {
  id: number;
  at: string;
  actor_id: string | null;
  actor_email: string | null;
  action: AuditAction;
  target: string | null;
  details: string;
  ip: string | null;
}

/** The append-only audit log in `kb.db`: sign-ins, account and permission changes, uploads and deletions. */
export class AuditLog {
  readonly #db: Database;

  /** @param db The knowledge-base database, migrated with the server migrations. */
  constructor(db: Database) {
    this.#db = db;
  }

  /** Appends an event. */
  record(input: AuditRecordInput): void {
    this.#db
      .prepare(
        "INSERT INTO audit_events (at, actor_id, actor_email, action, target, details, ip) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        new Date().toISOString(),
        input.actor?.id ?? null,
        input.actor?.email ?? null,
        input.action,
        input.target ?? null,
        JSON.stringify(input.details ?? {}),
        input.ip ?? null,
      );
  }

  /** Events newest first: at most `limit`, and only those with an id below `before` when given (paging). */
  list(options: { limit: number; before?: number | undefined }): AuditEvent[] {
    const rows = this.#db
      .prepare("SELECT * FROM audit_events WHERE id < ? ORDER BY id DESC LIMIT ?")
      .all(options.before ?? Number.MAX_SAFE_INTEGER, options.limit) as AuditRow[];
    return rows.map((row) => ({
      id: row.id,
      at: row.at,
      actor: row.actor_id ? { id: row.actor_id, email: row.actor_email ?? "" } : null,
      action: row.action,
      target: row.target,
      details: JSON.parse(row.details) as Record<string, unknown>,
      ip: row.ip,
    }));
  }
}
