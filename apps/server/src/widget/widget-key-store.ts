import { randomBytes, randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";

/** Prefix of public widget keys, so a key pasted into a page is recognisable. */
export const widgetKeyPrefix = "zw_";

/** A widget key as the owner sees it. The key is public (it stands in a web page's HTML), so it is shown in full. */
export interface WidgetKeyRecord {
  id: string;
  workspaceId: string;
  key: string;
  name: string;
  /** Origins (`https://docs.example.com`) whose pages may use the key; nothing else may. */
  allowedOrigins: string[];
  /** Questions and searches each visitor may send a minute. */
  requestsPerMinute: number;
  createdBy: string | null;
  createdAt: string;
  revokedAt: string | null;
}

interface WidgetKeyRow {
  id: string;
  workspace_id: string;
  key: string;
  name: string;
  allowed_origins: string;
  requests_per_minute: number;
  created_by: string | null;
  created_at: string;
  revoked_at: string | null;
}

function toRecord(row: WidgetKeyRow): WidgetKeyRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    key: row.key,
    name: row.name,
    allowedOrigins: JSON.parse(row.allowed_origins) as string[],
    requestsPerMinute: row.requests_per_minute,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  };
}

/** The `widget_keys` table: public keys that let pages on named origins ask and search one workspace. */
export class WidgetKeyStore {
  readonly #db: Database;

  constructor(db: Database) {
    this.#db = db;
  }

  /** Creates a key for a workspace. */
  create(input: {
    workspaceId: string;
    name: string;
    allowedOrigins: string[];
    requestsPerMinute: number;
    createdBy: string | null;
  }): WidgetKeyRecord {
    const row: WidgetKeyRow = {
      id: randomUUID(),
      workspace_id: input.workspaceId,
      key: `${widgetKeyPrefix}${randomBytes(18).toString("base64url")}`,
      name: input.name,
      allowed_origins: JSON.stringify(input.allowedOrigins),
      requests_per_minute: input.requestsPerMinute,
      created_by: input.createdBy,
      created_at: new Date().toISOString(),
      revoked_at: null,
    };
    this.#db
      .prepare(
        `INSERT INTO widget_keys (id, workspace_id, key, name, allowed_origins, requests_per_minute, created_by, created_at)
         VALUES (@id, @workspace_id, @key, @name, @allowed_origins, @requests_per_minute, @created_by, @created_at)`,
      )
      .run(row);
    return toRecord(row);
  }

  /** A workspace's keys, newest first, revoked ones included. */
  list(workspaceId: string): WidgetKeyRecord[] {
    return this.#db
      .prepare<[string], WidgetKeyRow>(
        "SELECT * FROM widget_keys WHERE workspace_id = ? ORDER BY created_at DESC",
      )
      .all(workspaceId)
      .map(toRecord);
  }

  /** The key, if it exists and is not revoked. */
  findActive(key: string): WidgetKeyRecord | undefined {
    const row = this.#db
      .prepare<[string], WidgetKeyRow>("SELECT * FROM widget_keys WHERE key = ? AND revoked_at IS NULL")
      .get(key);
    return row ? toRecord(row) : undefined;
  }

  /** Revokes a workspace's key; false when there is no such active key. It stops working at once. */
  revoke(workspaceId: string, id: string): WidgetKeyRecord | undefined {
    const result = this.#db
      .prepare(
        "UPDATE widget_keys SET revoked_at = ? WHERE id = ? AND workspace_id = ? AND revoked_at IS NULL",
      )
      .run(new Date().toISOString(), id, workspaceId);
    if (result.changes === 0) return undefined;
    const row = this.#db.prepare<[string], WidgetKeyRow>("SELECT * FROM widget_keys WHERE id = ?").get(id);
    return row ? toRecord(row) : undefined;
  }

  /** Deletes a workspace's keys (with the workspace). */
  deleteWorkspace(workspaceId: string): void {
    this.#db.prepare("DELETE FROM widget_keys WHERE workspace_id = ?").run(workspaceId);
  }
}
