import { ZhikuError } from "@zhiku/ingest";
import type { Authenticated, Permissions } from "../auth/index.js";
import type { ThreadStore } from "../services/chat/index.js";

/** Options for {@link requireOwnThread}. */
export interface RequireOwnThreadOptions {
  /** Who asks. */
  auth: Authenticated;
  /** The thread. */
  threadId: string;
  /** Threads. */
  threads: ThreadStore;
  /** Workspace visibility. */
  permissions: Permissions;
  /** The error for a thread the caller may not see; by default the one for a thread that does not exist. */
  notFound?: () => ZhikuError;
}

/**
 * Checks that the caller may use a thread: it is in a workspace the caller sees, and it is the caller's own (admins
 * see all). A thread in a workspace the caller does not see answers exactly as a missing one (404); another user's
 * thread in a workspace the caller does see answers `forbidden:thread` (403), so a shared link says whose problem it
 * is instead of looking like an empty or deleted chat (thread ids are random, so this tells a stranger nothing).
 */
export function requireOwnThread(options: RequireOwnThreadOptions): void {
  const { auth, threadId, threads, permissions } = options;
  const notFound =
    options.notFound ?? (() => new ZhikuError("not_found:thread", `No thread with id "${threadId}"`));
  const owner = threads.threadOwner(threadId);
  const thread = owner === undefined ? undefined : threads.getThread(threadId);
  if (!thread) throw notFound();
  permissions.requireWorkspaceById(auth, { workspaceId: thread.workspaceId, minimum: "viewer", notFound });
  if (auth.user.role !== "admin" && owner !== auth.user.id) {
    throw new ZhikuError("forbidden:thread", "This conversation belongs to another user");
  }
}
