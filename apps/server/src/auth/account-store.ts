import { randomUUID } from "node:crypto";
import type { Database } from "better-sqlite3";
import type {
  ApiKeyRecord,
  GuardedChange,
  Member,
  SessionRecord,
  User,
  UserPatch,
  UserRole,
  WorkspaceRole,
} from "./account-types.js";
import { displayPrefix, newApiKey, randomToken, sha256 } from "./tokens.js";

export * from "./account-types.js";

/** How long a session lasts since it was last used. */
export const sessionLifetimeMs = 30 * 24 * 60 * 60 * 1000;

/** A session's expiry moves forward at most this often, so requests do not each write to the database. */
const sessionRefreshMs = 60 * 60 * 1000;

/** `lastUsedAt` of an API key is written at most this often. */
const keyUsageRefreshMs = 60 * 1000;

interface UserRow {
  id: string;
  email: string;
  password_hash: string;
  role: UserRole;
  created_at: string;
}

interface ApiKeyRow {
  id: string;
  user_id: string;
  name: string;
  workspace_id: string | null;
  prefix: string;
  created_at: string;
  last_used_at: string | null;
}

function toUser(row: UserRow): User {
  return { id: row.id, email: row.email, role: row.role, createdAt: row.created_at };
}

function toApiKey(row: ApiKeyRow): ApiKeyRecord {
  return {
    id: row.id,
    userId: row.user_id,
    name: row.name,
    workspaceId: row.workspace_id,
    prefix: row.prefix,
    createdAt: row.created_at,
    lastUsedAt: row.last_used_at,
  };
}

/** Normalises an email for storage and lookup: trimmed, lower case. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Users, sessions, API keys and workspace memberships in the server's tables of `kb.db`. Secrets (session ids,
 * API keys) are stored as SHA-256 only; password hashes come in already hashed. No HTTP here.
 */
export class AccountStore {
  readonly #db: Database;

  /** @param db The knowledge-base database, migrated with the server migrations. */
  constructor(db: Database) {
    this.#db = db;
  }

  /** How many users exist (0 means the install still needs its first admin). */
  countUsers(): number {
    return (this.#db.prepare("SELECT COUNT(*) AS count FROM users").get() as { count: number }).count;
  }

  /** How many admins exist. */
  countAdmins(): number {
    return (
      this.#db.prepare("SELECT COUNT(*) AS count FROM users WHERE role = 'admin'").get() as { count: number }
    ).count;
  }

  /** Creates a user; returns undefined when the email is taken. */
  createUser(input: { email: string; passwordHash: string; role: UserRole }): User | undefined {
    const now = new Date().toISOString();
    const id = randomUUID();
    const result = this.#db
      .prepare(
        "INSERT INTO users (id, email, password_hash, role, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (email) DO NOTHING",
      )
      .run(id, normaliseEmail(input.email), input.passwordHash, input.role, now, now);
    return result.changes === 0 ? undefined : this.getUser(id);
  }

  /**
   * Creates the first user as admin, only while there is no user at all (checked in the same transaction, so two
   * concurrent setups cannot both succeed). Undefined when a user exists.
   */
  createFirstAdmin(input: { email: string; passwordHash: string }): User | undefined {
    return this.#db
      .transaction(() => (this.countUsers() > 0 ? undefined : this.createUser({ ...input, role: "admin" })))
      .immediate();
  }

  /** A user by id. */
  getUser(id: string): User | undefined {
    const row = this.#db.prepare("SELECT * FROM users WHERE id = ?").get(id) as UserRow | undefined;
    return row ? toUser(row) : undefined;
  }

  /** A user and their password hash by email (case-insensitive), for signing in. */
  findCredentials(email: string): { user: User; passwordHash: string } | undefined {
    const row = this.#db.prepare("SELECT * FROM users WHERE email = ?").get(normaliseEmail(email)) as
      | UserRow
      | undefined;
    return row ? { user: toUser(row), passwordHash: row.password_hash } : undefined;
  }

  /** A user's password hash. */
  passwordHash(userId: string): string | undefined {
    const row = this.#db.prepare("SELECT password_hash FROM users WHERE id = ?").get(userId) as
      | { password_hash: string }
      | undefined;
    return row?.password_hash;
  }

  /** All users, oldest first. */
  listUsers(): User[] {
    return (this.#db.prepare("SELECT * FROM users ORDER BY created_at, rowid").all() as UserRow[]).map(
      toUser,
    );
  }

  /**
   * Changes a user's role and/or password hash in one IMMEDIATE transaction with the last-admin check, so two admins
   * demoting each other at once cannot both succeed, not even from two processes. A new password ends the user's
   * sessions (but `keepSessionIdHash`) and, with `revokeApiKeys`, their API keys too.
   */
  updateUser(id: string, patch: UserPatch): GuardedChange {
    return this.#db
      .transaction((): GuardedChange => {
        const user = this.getUser(id);
        if (!user) return { refused: "not_found" };
        if (patch.role === "member" && user.role === "admin" && this.countAdmins() <= 1) {
          return { refused: "last_admin" };
        }
        const now = new Date().toISOString();
        if (patch.role)
          this.#db.prepare("UPDATE users SET role = ?, updated_at = ? WHERE id = ?").run(patch.role, now, id);
        if (patch.passwordHash) {
          this.#db
            .prepare("UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?")
            .run(patch.passwordHash, now, id);
          this.#db
            .prepare("DELETE FROM sessions WHERE user_id = ? AND id_hash IS NOT ?")
            .run(id, patch.keepSessionIdHash ?? null);
          if (patch.revokeApiKeys) {
            this.#db
              .prepare("UPDATE api_keys SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL")
              .run(now, id);
          }
        }
        return { user: this.getUser(id)! };
      })
      .immediate();
  }

  /**
   * Deletes a user with their sessions, keys and memberships (ON DELETE CASCADE). With `keepAnAdmin`, the last admin
   * is refused, checked in the same IMMEDIATE transaction as the delete.
   */
  deleteUser(id: string, options: { keepAnAdmin?: boolean } = {}): GuardedChange {
    return this.#db
      .transaction((): GuardedChange => {
        const user = this.getUser(id);
        if (!user) return { refused: "not_found" };
        if (options.keepAnAdmin && user.role === "admin" && this.countAdmins() <= 1) {
          return { refused: "last_admin" };
        }
        this.#db.prepare("DELETE FROM users WHERE id = ?").run(id);
        return { user };
      })
      .immediate();
  }

  /** Starts a session; returns the session id for the cookie (stored only as its hash) and its expiry. */
  createSession(userId: string): { sessionId: string; expiresAt: string } {
    const sessionId = randomToken();
    const now = Date.now();
    const expiresAt = new Date(now + sessionLifetimeMs).toISOString();
    this.#db
      .prepare(
        "INSERT INTO sessions (id_hash, user_id, created_at, last_seen_at, expires_at) VALUES (?, ?, ?, ?, ?)",
      )
      .run(sha256(sessionId), userId, new Date(now).toISOString(), new Date(now).toISOString(), expiresAt);
    return { sessionId, expiresAt };
  }

  /**
   * The user of a live session, sliding its expiry forward (at most hourly). An expired session is deleted.
   * `refreshed` is the new expiry when it moved, so the cookie can be re-sent with it.
   */
  useSession(sessionId: string): { user: User; session: SessionRecord; refreshed?: string } | undefined {
    const idHash = sha256(sessionId);
    const row = this.#db.prepare("SELECT * FROM sessions WHERE id_hash = ?").get(idHash) as
      | { id_hash: string; user_id: string; expires_at: string; last_seen_at: string }
      | undefined;
    if (!row) return undefined;
    const now = Date.now();
    if (Date.parse(row.expires_at) <= now) {
      this.#db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
      return undefined;
    }
    const user = this.getUser(row.user_id);
    if (!user) return undefined;
    const session: SessionRecord = {
      idHash,
      userId: row.user_id,
      expiresAt: row.expires_at,
      lastSeenAt: row.last_seen_at,
    };
    if (now - Date.parse(row.last_seen_at) < sessionRefreshMs) return { user, session };
    const expiresAt = new Date(now + sessionLifetimeMs).toISOString();
    this.#db
      .prepare("UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE id_hash = ?")
      .run(new Date(now).toISOString(), expiresAt, idHash);
    return { user, session: { ...session, expiresAt }, refreshed: expiresAt };
  }

  /** Ends one session. */
  revokeSession(idHash: string): void {
    this.#db.prepare("DELETE FROM sessions WHERE id_hash = ?").run(idHash);
  }

  /** Deletes expired sessions. */
  pruneSessions(): void {
    this.#db.prepare("DELETE FROM sessions WHERE expires_at <= ?").run(new Date().toISOString());
  }

  /** Creates an API key for a user; `key` is returned this once and stored only as its hash. */
  createApiKey(input: { userId: string; name: string; workspaceId: string | null }): {
    apiKey: ApiKeyRecord;
    key: string;
  } {
    const key = newApiKey();
    const id = randomUUID();
    this.#db
      .prepare(
        "INSERT INTO api_keys (id, user_id, name, workspace_id, prefix, key_hash, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
      )
      .run(
        id,
        input.userId,
        input.name,
        input.workspaceId,
        displayPrefix(key),
        sha256(key),
        new Date().toISOString(),
      );
    return { apiKey: this.getApiKey(id)!, key };
  }

  /** A key that is not revoked, by id. */
  getApiKey(id: string): ApiKeyRecord | undefined {
    const row = this.#db.prepare("SELECT * FROM api_keys WHERE id = ? AND revoked_at IS NULL").get(id) as
      | ApiKeyRow
      | undefined;
    return row ? toApiKey(row) : undefined;
  }

  /** The user and key record of a live API key, recording its use (at most once a minute). */
  useApiKey(key: string): { user: User; apiKey: ApiKeyRecord } | undefined {
    const row = this.#db
      .prepare("SELECT * FROM api_keys WHERE key_hash = ? AND revoked_at IS NULL")
      .get(sha256(key)) as ApiKeyRow | undefined;
    if (!row) return undefined;
    const user = this.getUser(row.user_id);
    if (!user) return undefined;
    const now = Date.now();
    if (!row.last_used_at || now - Date.parse(row.last_used_at) >= keyUsageRefreshMs) {
      row.last_used_at = new Date(now).toISOString();
      this.#db.prepare("UPDATE api_keys SET last_used_at = ? WHERE id = ?").run(row.last_used_at, row.id);
    }
    return { user, apiKey: toApiKey(row) };
  }

  /** A user's live keys, newest first. */
  listApiKeys(userId: string): ApiKeyRecord[] {
    return (
      this.#db
        .prepare(
          "SELECT * FROM api_keys WHERE user_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, rowid DESC",
        )
        .all(userId) as ApiKeyRow[]
    ).map(toApiKey);
  }

  /** Revokes one of a user's keys at once; false when the user has no such live key. */
  revokeApiKey(userId: string, id: string): boolean {
    return (
      this.#db
        .prepare("UPDATE api_keys SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL")
        .run(new Date().toISOString(), id, userId).changes > 0
    );
  }

  /** The members of a workspace, by email. */
  listMembers(workspaceId: string): Member[] {
    return this.#db
      .prepare(
        `SELECT m.user_id AS userId, u.email AS email, m.role AS role
           FROM workspace_members m JOIN users u ON u.id = m.user_id
          WHERE m.workspace_id = ? ORDER BY u.email`,
      )
      .all(workspaceId) as Member[];
  }

  /** Adds a member or changes their role. */
  setMember(input: { workspaceId: string; userId: string; role: WorkspaceRole }): void {
    this.#db
      .prepare(
        `INSERT INTO workspace_members (workspace_id, user_id, role, created_at) VALUES (?, ?, ?, ?)
         ON CONFLICT (workspace_id, user_id) DO UPDATE SET role = excluded.role`,
      )
      .run(input.workspaceId, input.userId, input.role, new Date().toISOString());
  }

  /** Removes a member; false when the user was not one. */
  removeMember(workspaceId: string, userId: string): boolean {
    return (
      this.#db
        .prepare("DELETE FROM workspace_members WHERE workspace_id = ? AND user_id = ?")
        .run(workspaceId, userId).changes > 0
    );
  }

  /** The roles of a user in the workspaces shared with them, by workspace id. */
  memberships(userId: string): Map<string, WorkspaceRole> {
    const rows = this.#db
      .prepare("SELECT workspace_id, role FROM workspace_members WHERE user_id = ?")
      .all(userId) as { workspace_id: string; role: WorkspaceRole }[];
    return new Map(rows.map((row) => [row.workspace_id, row.role]));
  }

  /** Ids of the workspaces with members or unrevoked keys limited to them (to finish an interrupted deletion). */
  workspaceIds(): string[] {
    const rows = this.#db
      .prepare(
        "SELECT workspace_id FROM workspace_members UNION SELECT workspace_id FROM api_keys WHERE workspace_id IS NOT NULL AND revoked_at IS NULL",
      )
      .all() as { workspace_id: string }[];
    return rows.map((row) => row.workspace_id);
  }

  /** Forgets a deleted workspace: its memberships go, and keys limited to it are revoked. */
  forgetWorkspace(workspaceId: string): void {
    this.#db.transaction(() => {
      this.#db.prepare("DELETE FROM workspace_members WHERE workspace_id = ?").run(workspaceId);
      this.#db
        .prepare("UPDATE api_keys SET revoked_at = ? WHERE workspace_id = ? AND revoked_at IS NULL")
        .run(new Date().toISOString(), workspaceId);
    })();
  }
}
