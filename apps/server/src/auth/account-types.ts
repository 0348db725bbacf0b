/** A user's role on the whole install: `admin` may do everything, `member` only what workspaces share with it. */
export type UserRole = "admin" | "member";

/** A member's role in one workspace: `viewer` reads and chats, `editor` also changes documents, `owner` also settings and members. */
export type WorkspaceRole = "owner" | "editor" | "viewer";

/** Workspace roles from least to most rights. */
export const workspaceRoles: readonly WorkspaceRole[] = ["viewer", "editor", "owner"];

/** True when `role` grants at least what `minimum` does. */
export function roleAtLeast(role: WorkspaceRole, minimum: WorkspaceRole): boolean {
  return workspaceRoles.indexOf(role) >= workspaceRoles.indexOf(minimum);
}

/** A user as the API shows it. */
export interface User {
  id: string;
  email: string;
  role: UserRole;
  createdAt: string;
}

/** An API key as listed (never the key itself). */
export interface ApiKeyRecord {
  id: string;
  /** The user the key acts as. */
  userId: string;
  name: string;
  /** The one workspace the key may reach, or null for all of its user's. */
  workspaceId: string | null;
  /** The first characters of the key, to tell keys apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** A workspace member. */
export interface Member {
  userId: string;
  email: string;
  role: WorkspaceRole;
}

/** A change to a user ({@link AccountStore.updateUser}). */
export interface UserPatch {
  role?: UserRole;
  /** A new password hash; ends the user's sessions. */
  passwordHash?: string;
  /** With a new password: the session to keep (the one that changed it), by id hash. */
  keepSessionIdHash?: string;
  /** With a new password: revoke the user's API keys as well (an admin's reset: whoever knew the old one may hold keys). */
  revokeApiKeys?: boolean;
}

/** The user after a change that must leave an admin, or why it was refused. */
export type GuardedChange = { user: User } | { refused: "not_found" | "last_admin" };

/** A signed-in session, found by its id. */
export interface SessionRecord {
  /** SHA-256 of the session id (the id itself is only in the cookie). */
  idHash: string;
  userId: string;
  expiresAt: string;
  lastSeenAt: string;
}
