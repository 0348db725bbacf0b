import { type KnowledgeBase, type WorkspaceRecord, ZhikuError } from "@zhiku/ingest";
import {
  type AccountStore,
  type ApiKeyRecord,
  roleAtLeast,
  type User,
  type WorkspaceRole,
} from "./account-store.js";

/** Who a request acts for: the signed-in user, and the API key when it came with one instead of a session. */
export interface Authenticated {
  user: User;
  /** The key the request carried (`Authorization: Bearer zk_...`). */
  apiKey?: ApiKeyRecord;
  /** SHA-256 of the session id when the request came with the session cookie. */
  sessionIdHash?: string;
}

/** A workspace the caller may see, with the caller's role in it. */
export interface WorkspaceAccess {
  workspace: WorkspaceRecord;
  role: WorkspaceRole;
}

/** The same error as for a workspace that does not exist, so a hidden workspace's existence does not leak. */
export function workspaceNotFound(slug: string): ZhikuError {
  return new ZhikuError("not_found:workspace", `No workspace "${slug}"`);
}

/**
 * Who may do what. Admins are owners of every workspace; members see only workspaces shared with them (a workspace
 * from before accounts has no members, so only admins see it); an API key limited to a workspace sees only that one,
 * with at most its user's role there.
 */
export class Permissions {
  readonly #kb: KnowledgeBase;
  readonly #accounts: AccountStore;

  /** @param options The knowledge base (workspaces) and the account store (memberships). */
  constructor(options: { kb: KnowledgeBase; accounts: AccountStore }) {
    this.#kb = options.kb;
    this.#accounts = options.accounts;
  }

  /** The caller's role in a workspace, or undefined when it may not see it. */
  roleIn(auth: Authenticated, workspace: WorkspaceRecord): WorkspaceRole | undefined {
    const limit = auth.apiKey?.workspaceId;
    if (limit !== undefined && limit !== null && limit !== workspace.id) return undefined;
    if (auth.user.role === "admin") return "owner";
    return this.#accounts.memberships(auth.user.id).get(workspace.id);
  }

  /** Every workspace the caller may see, with its role. */
  visibleWorkspaces(auth: Authenticated): WorkspaceAccess[] {
    const memberships = auth.user.role === "admin" ? undefined : this.#accounts.memberships(auth.user.id);
    const limit = auth.apiKey?.workspaceId ?? null;
    const visible: WorkspaceAccess[] = [];
    for (const workspace of this.#kb.listWorkspaces()) {
      if (limit !== null && workspace.id !== limit) continue;
      const role = memberships ? memberships.get(workspace.id) : "owner";
      if (role) visible.push({ workspace, role });
    }
    return visible;
  }

  /**
   * The workspace named by `slug` when the caller has at least `minimum` there. A workspace it may not see answers
   * exactly as a missing one (404 `not_found:workspace`); one it sees with too small a role answers 403
   * `forbidden:workspace_role`.
   */
  requireWorkspace(auth: Authenticated, slug: string, minimum: WorkspaceRole): WorkspaceAccess {
    const workspace = this.#kb.getWorkspace(slug);
    const role = workspace ? this.roleIn(auth, workspace) : undefined;
    if (!workspace || !role) throw workspaceNotFound(slug);
    return { workspace, role: this.#atLeast(role, minimum, workspace.slug) };
  }

  /** As {@link requireWorkspace}, by workspace id; `notFound` is thrown when it may not be seen. */
  requireWorkspaceById(
    auth: Authenticated,
    options: { workspaceId: string; minimum: WorkspaceRole; notFound: () => ZhikuError },
  ): WorkspaceAccess {
    const workspace = this.#kb.getWorkspaceById(options.workspaceId);
    const role = workspace ? this.roleIn(auth, workspace) : undefined;
    if (!workspace || !role) throw options.notFound();
    return { workspace, role: this.#atLeast(role, options.minimum, workspace.slug) };
  }

  /** Throws 403 unless the caller is an admin acting without a workspace-limited key. */
  requireAdmin(auth: Authenticated): void {
    if (auth.user.role !== "admin") {
      throw new ZhikuError("forbidden:admin", "Only an admin may do this");
    }
    this.requireUnlimited(auth);
  }

  /** Throws 403 for a key limited to one workspace: for it, nothing outside that workspace exists. */
  requireUnlimited(auth: Authenticated): void {
    if (auth.apiKey?.workspaceId) {
      throw new ZhikuError(
        "forbidden:api_key",
        `This API key is limited to one workspace; use a session or an unlimited key`,
      );
    }
  }

  /** Throws 403 unless the request came with a session: keys cannot manage keys or passwords. */
  requireSession(auth: Authenticated): void {
    if (auth.apiKey) {
      throw new ZhikuError("forbidden:api_key", "Sign in to do this; an API key cannot");
    }
  }

  #atLeast(role: WorkspaceRole, minimum: WorkspaceRole, slug: string): WorkspaceRole {
    if (!roleAtLeast(role, minimum)) {
      throw new ZhikuError(
        "forbidden:workspace_role",
        `Your role in workspace "${slug}" is ${role}; this needs ${minimum}`,
      );
    }
    return role;
  }
}
