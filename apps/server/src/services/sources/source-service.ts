import { rm } from "node:fs/promises";
import { basename, join } from "node:path";
import { type KnowledgeBase, type WorkspaceRecord, ZhikuError } from "@zhiku/ingest";
import type { Logger } from "../../logger.js";
import { type AddressPolicy, createAddressPolicy } from "../documents/address-policy.js";
import type { JobQueue } from "../jobs/job-queue.js";
import { listFolderItems, resolveAllowedDirectory, watchFolder } from "./folder-source.js";
import { listGitItems, resolveGitRemote } from "./git-source.js";
import { SourceStore } from "./source-store.js";
import type { ItemLister, SourceRecord, SourceSpec } from "./source-types.js";
import { syncSource } from "./sync-source.js";
import { crawlWebsite } from "./website-source.js";

/** Options of {@link SourceService}. */
export interface SourceServiceOptions {
  /** The knowledge base whose workspaces get the documents (its `db` holds the sources' tables). */
  kb: KnowledgeBase;
  /** The ingestion queue items go through. */
  jobs: JobQueue;
  /** Logs each sync's outcome. */
  logger: Logger;
  /** DATA_DIR: Git checkouts go to `sources/<id>` in it. */
  dataDir: string;
  /** `SOURCE_FOLDER_ROOTS`: where folder sources (and local repositories) may be. */
  folderRoots: readonly string[];
  /** `URL_ALLOWLIST`: internal hosts websites and repositories may be fetched from. */
  urlAllowlist: readonly string[];
  /** Largest item, in bytes (`MAX_UPLOAD_MB`). */
  maxBytes: number;
  /** Timeout of one page fetch, in ms. Default 20 000. */
  fetchTimeoutMs?: number;
  /** How often the scheduler looks for sources due, in ms. Default 60 000. */
  tickMs?: number;
  /** Quiet time after a change in a watched folder before it syncs, in ms. Default 2 000. */
  watchDebounceMs?: number;
}

/** Input of {@link SourceService.create}. */
export interface CreateSourceInput {
  /** The workspace the documents go to. */
  workspace: WorkspaceRecord;
  /** The kind with its settings (checked here again). */
  spec: SourceSpec;
  /** Shown in the interface and put before the documents' paths; derived from the settings when omitted. */
  name?: string | undefined;
  /** Minutes between scheduled syncs; 0 only on demand. */
  intervalMinutes: number;
  /** The user who added it. */
  createdBy: string | null;
}

/** A name for a source from its settings: the folder's or repository's last segment, the site's host. */
function defaultName(spec: SourceSpec): string {
  if (spec.kind === "website") return new URL(spec.config.url).host;
  const last = basename(spec.kind === "folder" ? spec.config.path : spec.config.url.replace(/[/:]+$/, ""));
  return last.replace(/\.git$/, "") || spec.kind;
}

/**
 * Sources that keep a workspace's documents in sync with a folder on the server, a website or a Git branch:
 * creates, changes and deletes them (checking folders against `SOURCE_FOLDER_ROOTS` and addresses against the SSRF
 * rules), runs their syncs (one at a time per source: `conflict:source_sync` while one runs), syncs each on its
 * schedule, and a folder also when it changes (watched, debounced). {@link start} begins the schedule and the
 * watchers; {@link close} stops them and waits for running syncs to stop.
 */
export class SourceService {
  /** The sources and their items. */
  readonly store: SourceStore;
  readonly #options: SourceServiceOptions;
  readonly #policy: AddressPolicy;
  readonly #running = new Map<string, { controller: AbortController; done: Promise<void> }>();
  /** Sources whose folder changed while they synced: they sync again when done. */
  readonly #rerun = new Set<string>();
  readonly #watchers = new Map<string, () => void>();
  #ticker: NodeJS.Timeout | undefined;
  #ticking = false;
  #closed = false;

  constructor(options: SourceServiceOptions) {
    this.#options = options;
    this.store = new SourceStore(options.kb.db);
    this.#policy = createAddressPolicy(options.urlAllowlist);
  }

  /** Ends syncs a stopped process left running, watches folder sources, and starts the schedule. */
  async start(): Promise<void> {
    this.store.failInterrupted(new Date());
    for (const source of this.store.listAll()) await this.#watch(source);
    const tickMs = this.#options.tickMs ?? 60_000;
    this.#ticker = setInterval(() => void this.#tick(), tickMs);
    this.#ticker.unref();
  }

  /** Stops the schedule and the watchers; running syncs are stopped and awaited. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#ticker);
    for (const stop of this.#watchers.values()) stop();
    this.#watchers.clear();
    for (const { controller } of this.#running.values()) controller.abort();
    await Promise.all([...this.#running.values()].map((running) => running.done));
  }

  /** A workspace's sources. */
  list(workspace: WorkspaceRecord): SourceRecord[] {
    return this.store.listForWorkspace(workspace.id);
  }

  /** A source of a workspace; `not_found:source` when the workspace has none with this id. */
  require(workspace: WorkspaceRecord, id: string): SourceRecord {
    const source = this.store.get(id);
    if (!source || source.workspaceId !== workspace.id) {
      throw new ZhikuError("not_found:source", `No source ${id} in workspace ${workspace.slug}`);
    }
    return source;
  }

  /** Checks the settings and stores a new source; a folder source is watched from now on. */
  async create(input: CreateSourceInput): Promise<SourceRecord> {
    const spec = await this.#checked(input.spec);
    const source = this.store.create({
      workspaceId: input.workspace.id,
      name: input.name ?? defaultName(spec),
      spec,
      intervalMinutes: input.intervalMinutes,
      createdBy: input.createdBy,
    });
    await this.#watch(source);
    return source;
  }

  /**
   * Changes a source's name, settings or schedule. New settings are checked as on creation; the documents stay
   * and the next sync brings them in line with the new settings.
   */
  async update(
    source: SourceRecord,
    patch: {
      name?: string | undefined;
      config?: SourceSpec["config"] | undefined;
      intervalMinutes?: number | undefined;
    },
  ): Promise<SourceRecord> {
    const config = patch.config
      ? (await this.#checked({ kind: source.kind, config: patch.config } as SourceSpec)).config
      : undefined;
    const updated = this.store.update(source.id, {
      ...(patch.name === undefined ? {} : { name: patch.name }),
      ...(config === undefined ? {} : { config }),
      ...(patch.intervalMinutes === undefined ? {} : { intervalMinutes: patch.intervalMinutes }),
    });
    this.#unwatch(source.id);
    await this.#watch(updated);
    return updated;
  }

  /** Deletes a source with the documents it brought into its workspace (a running sync is stopped first). */
  async delete(source: SourceRecord, workspace: WorkspaceRecord): Promise<{ documents: number }> {
    this.#unwatch(source.id);
    await this.#stop(source.id);
    let documents = 0;
    for (const entry of this.store.documentsOf(source.id).values()) {
      this.#options.jobs.forgetDocument(entry.documentId);
      if (this.#options.kb.getDocument(workspace.slug, entry.documentId)) {
        await this.#options.kb.deleteDocument(workspace.slug, entry.documentId);
        documents += 1;
      }
    }
    this.store.delete(source.id);
    await rm(this.#checkoutOf(source.id), { recursive: true, force: true });
    return { documents };
  }

  /**
   * Forgets the sources of a workspace being deleted (its documents go with it): their syncs and watchers stop,
   * their rows and checkouts go.
   */
  async forgetWorkspace(workspaceId: string): Promise<void> {
    const sources = this.store.listAll().filter((source) => source.workspaceId === workspaceId);
    for (const source of sources) {
      this.#unwatch(source.id);
      await this.#stop(source.id);
    }
    this.store.deleteWorkspace(workspaceId);
    for (const source of sources) await rm(this.#checkoutOf(source.id), { recursive: true, force: true });
  }

  /**
   * Starts a sync of the source in the background and returns the source as it is now (`lastSync.status`
   * `running`). Throws `conflict:source_sync` when one already runs.
   */
  startSync(source: SourceRecord): SourceRecord {
    if (this.#running.has(source.id)) {
      throw new ZhikuError(
        "conflict:source_sync",
        `Source ${source.name} is syncing already; wait for it to finish`,
      );
    }
    this.#run(source.id);
    return this.store.get(source.id)!;
  }

  /** Resolves when the source's running sync (if any) has finished, reruns included. */
  async whenSynced(sourceId: string): Promise<void> {
    for (let running = this.#running.get(sourceId); running; running = this.#running.get(sourceId)) {
      await running.done;
    }
  }

  #run(sourceId: string): void {
    const controller = new AbortController();
    const done = this.#sync(sourceId, controller.signal).finally(() => {
      this.#running.delete(sourceId);
      if (this.#rerun.delete(sourceId) && !this.#closed && this.store.get(sourceId)) this.#run(sourceId);
    });
    this.#running.set(sourceId, { controller, done });
  }

  async #sync(sourceId: string, signal: AbortSignal): Promise<void> {
    const { kb, jobs, logger } = this.#options;
    const source = this.store.get(sourceId);
    const workspace = source ? kb.getWorkspaceById(source.workspaceId) : undefined;
    if (!source || !workspace) return;
    this.store.markSyncStarted(source.id, new Date());
    try {
      const outcome = await syncSource({
        source,
        workspace,
        list: this.#listerFor(source),
        kb,
        jobs,
        store: this.store,
        signal,
        failuresHideItems: source.kind === "website",
      });
      this.store.markSyncFinished(source.id, { ...outcome, status: "done", at: new Date() });
      logger.info({ source: source.id, workspace: workspace.slug, ...outcome }, "Source synced");
    } catch (error) {
      const message = signal.aborted
        ? "The sync was stopped"
        : error instanceof Error
          ? error.message
          : String(error);
      if (!this.store.get(source.id)) return;
      this.store.markSyncFinished(source.id, {
        added: 0,
        updated: 0,
        deleted: 0,
        unchanged: 0,
        failed: 0,
        status: "failed",
        error: message,
        at: new Date(),
      });
      logger.warn({ source: source.id, workspace: workspace.slug, error: message }, "Source sync failed");
    }
  }

  #listerFor(source: SourceRecord): ItemLister {
    const { maxBytes, folderRoots } = this.#options;
    switch (source.kind) {
      case "folder":
        return async function* folder(signal) {
          // Checked at each sync: the roots or the directory may have changed since the source was made.
          const directory = await resolveAllowedDirectory({
            path: source.config.path,
            roots: folderRoots,
            field: "config.path",
          });
          yield* listFolderItems({ directory, namePrefix: source.name, maxBytes })(signal);
        };
      case "website":
        return crawlWebsite({
          config: source.config,
          policy: this.#policy,
          maxBytes,
          timeoutMs: this.#options.fetchTimeoutMs ?? 20_000,
        });
      case "git":
        return listGitItems({
          config: source.config,
          resolveRemote: () =>
            resolveGitRemote({ url: source.config.url, policy: this.#policy, folderRoots }),
          directory: this.#checkoutOf(source.id),
          namePrefix: source.name,
          maxBytes,
        });
    }
  }

  /** The settings with the folder or repository checked; throws the error naming the field. */
  async #checked(spec: SourceSpec): Promise<SourceSpec> {
    const { folderRoots } = this.#options;
    if (spec.kind === "folder") {
      await resolveAllowedDirectory({ path: spec.config.path, roots: folderRoots, field: "config.path" });
    } else if (spec.kind === "git") {
      await resolveGitRemote({ url: spec.config.url, policy: this.#policy, folderRoots });
    }
    return spec;
  }

  async #tick(): Promise<void> {
    if (this.#ticking || this.#closed) return;
    this.#ticking = true;
    try {
      const now = Date.now();
      for (const source of this.store.listAll()) {
        if (this.#closed) return;
        if (source.intervalMinutes <= 0 || this.#running.has(source.id)) continue;
        const last = source.lastSync ? Date.parse(source.lastSync.startedAt) : Number.NEGATIVE_INFINITY;
        if (now - last < source.intervalMinutes * 60_000) continue;
        // Scheduled syncs run one after another, so a tick never starts every source at once.
        this.#run(source.id);
        await this.whenSynced(source.id);
      }
    } finally {
      this.#ticking = false;
    }
  }

  async #watch(source: SourceRecord): Promise<void> {
    if (source.kind !== "folder" || this.#closed) return;
    const { folderRoots, logger } = this.#options;
    const path = source.config.path;
    await resolveAllowedDirectory({ path, roots: folderRoots, field: "config.path" }).then(
      (directory) => {
        if (this.#watchers.has(source.id) || this.#closed || !this.store.get(source.id)) return;
        const stop = watchFolder({
          directory,
          debounceMs: this.#options.watchDebounceMs ?? 2_000,
          onChange: () => {
            if (!this.store.get(source.id)) return;
            if (this.#running.has(source.id)) this.#rerun.add(source.id);
            else this.#run(source.id);
          },
          onError: (error) => logger.warn({ source: source.id, err: error }, "Cannot watch the folder"),
        });
        this.#watchers.set(source.id, stop);
      },
      (error) => logger.warn({ source: source.id, err: error }, "Cannot watch the folder"),
    );
  }

  #unwatch(sourceId: string): void {
    this.#watchers.get(sourceId)?.();
    this.#watchers.delete(sourceId);
  }

  async #stop(sourceId: string): Promise<void> {
    this.#rerun.delete(sourceId);
    const running = this.#running.get(sourceId);
    running?.controller.abort();
    await running?.done;
  }

  #checkoutOf(sourceId: string): string {
    return join(this.#options.dataDir, "sources", sourceId);
  }
}
