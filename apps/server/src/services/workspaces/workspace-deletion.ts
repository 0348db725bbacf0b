import type { KnowledgeBase, WorkspaceRecord } from "@zhiku/ingest";
import type { AccountStore } from "../../auth/account-store.js";
import type { IntegrationStore } from "../../bots/integration-store.js";
import type { Logger } from "../../logger.js";
import type { WidgetKeyStore } from "../../widget/widget-key-store.js";
import type { ThreadStore } from "../chat/thread-store.js";
import type { JobQueue } from "../jobs/job-queue.js";
import type { SourceService } from "../sources/index.js";

/** Options for {@link WorkspaceDeletion}. */
export interface WorkspaceDeletionOptions {
  kb: KnowledgeBase;
  jobs: JobQueue;
  threads: ThreadStore;
  accounts: AccountStore;
  widgetKeys: WidgetKeyStore;
  integrations: IntegrationStore;
  sources: SourceService;
  logger: Logger;
}

/**
 * Deletes a workspace with everything of it, in an ordered, resumable sequence (the knowledge base's LanceDB
 * table and files cannot share a transaction with SQLite):
 *
 * 1. its jobs stop and go (the runner is told to cancel, the rows are deleted), and without an `await` in
 *    between, the knowledge base deletes the workspace row with its documents; then it drops the vectors and
 *    unreferenced originals;
 * 2. the server's own rows of it (threads with their messages and feedback, memberships, API keys limited to it,
 *    widget keys, chat bots with their delivery ids, sources with their items) go in one transaction.
 *
 * Before step 1 the workspace's sources stop syncing and watching (their Git checkouts are removed).
 *
 * A crash after step 1 leaves only server rows that name a workspace that no longer exists; they reach nothing
 * (every route resolves the workspace first), and {@link finishInterrupted}, run at each start, deletes them.
 */
export class WorkspaceDeletion {
  readonly #options: WorkspaceDeletionOptions;

  constructor(options: WorkspaceDeletionOptions) {
    this.#options = options;
  }

  /** Deletes the workspace (steps 1 and 2). */
  async delete(workspace: WorkspaceRecord): Promise<void> {
    const { kb, jobs, sources } = this.#options;
    // Syncs stop first, so none queues a document of the workspace while it goes.
    await sources.forgetWorkspace(workspace.id);
    jobs.forgetWorkspace(workspace.id);
    await kb.deleteWorkspace(workspace.slug);
    this.#forgetServerRows(workspace.id);
  }

  /**
   * Finishes deletions a stopped process left half done: the server rows of every workspace that no longer
   * exists go. Returns the ids of those workspaces.
   */
  finishInterrupted(): string[] {
    const { kb, jobs, threads, accounts, integrations, sources, logger } = this.#options;
    const live = new Set(kb.listWorkspaces().map((workspace) => workspace.id));
    const referenced = new Set([
      ...jobs.store.workspaceIds(),
      ...threads.workspaceIds(),
      ...accounts.workspaceIds(),
      ...integrations.workspaceIds(),
      ...sources.store.workspaceIds(),
    ]);
    const gone = [...referenced].filter((workspaceId) => !live.has(workspaceId));
    for (const workspaceId of gone) {
      jobs.forgetWorkspace(workspaceId);
      this.#forgetServerRows(workspaceId);
    }
    if (gone.length > 0)
      logger.info({ workspaces: gone }, "Finished deleting workspaces an earlier run left");
    return gone;
  }

  #forgetServerRows(workspaceId: string): void {
    const { jobs, threads, accounts, widgetKeys, integrations, sources } = this.#options;
    jobs.store.transaction(() => {
      sources.store.deleteWorkspace(workspaceId);
      threads.deleteForWorkspace(workspaceId);
      accounts.forgetWorkspace(workspaceId);
      widgetKeys.deleteWorkspace(workspaceId);
      integrations.deleteWorkspace(workspaceId);
    });
  }
}
