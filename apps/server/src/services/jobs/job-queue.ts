import type {
  DocumentRecord,
  IngestOutcome,
  IngestProgress,
  KnowledgeBase,
  WorkspaceRecord,
} from "@zhiku/ingest";
import { AppError } from "../../errors.js";
import type { Logger } from "../../logger.js";
import type { DocumentEvent, DocumentEventBus } from "./document-events.js";
import type { IngestFailure, IngestRunner, IngestRunnerFactory } from "./ingest-runner.js";
import { type JobRecord, JobStore } from "./job-store.js";
import { publicFailure } from "./public-failure.js";

/** Options for {@link JobQueue}. */
export interface JobQueueOptions {
  /** The knowledge base whose documents the jobs ingest (its `db` holds the `jobs` table). */
  kb: KnowledgeBase;
  /** Where document progress is published. */
  events: DocumentEventBus;
  /** Builds the runner that executes ingestion (the worker pool in the server). */
  createRunner: IngestRunnerFactory;
  /** Logger for job transitions. */
  logger: Logger;
  /** Attempts before a retryable failure becomes final. Default 4. */
  maxAttempts?: number;
  /** Delay before attempt `attempt + 1` after a retryable failure of attempt `attempt`. Default 2 s doubling, at most 60 s. */
  retryDelayMs?: (attempt: number) => number;
  /** Told each time a job ends, or goes back to the queue for a retry (the server counts these in its metrics). */
  onJobFinished?: (outcome: JobFinishedOutcome) => void;
}

/** How a job ended: ingested, unchanged (same content as stored), failed, cancelled, or retrying later. */
export type JobFinishedOutcome = "ingested" | "unchanged" | "failed" | "cancelled" | "retrying";

/** Input of {@link JobQueue.enqueueUpload}. */
export interface EnqueueUploadInput {
  workspace: WorkspaceRecord;
  /** Document name (file name or URL). */
  name: string;
  /** Size of the original in bytes. */
  bytes: number;
  /** Hash returned by `kb.files.put`. */
  fileHash: string;
}

function defaultRetryDelay(attempt: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

/**
 * The background ingestion queue: jobs live in SQLite so they survive restarts; a runner executes them
 * (worker threads in the server); each transition updates the document and is published per workspace.
 */
export class JobQueue {
  readonly store: JobStore;
  readonly #kb: KnowledgeBase;
  readonly #events: DocumentEventBus;
  readonly #logger: Logger;
  readonly #runner: IngestRunner;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #onJobFinished: (outcome: JobFinishedOutcome) => void;
  /** Jobs handed to the runner, by id. */
  readonly #inFlight = new Map<string, JobRecord>();
  readonly #idleWaiters: (() => void)[] = [];
  /** Workspaces with chunks stored since their indexes were last brought up to date. */
  readonly #unindexedWorkspaces = new Set<string>();
  /** The index upkeep running now, if any. */
  #indexing: Promise<void> | undefined;
  #started = false;
  #closing = false;
  #wakeTimer: NodeJS.Timeout | undefined;

  constructor(options: JobQueueOptions) {
    this.#kb = options.kb;
    this.store = new JobStore(options.kb.db);
    this.#events = options.events;
    this.#logger = options.logger;
    this.#maxAttempts = options.maxAttempts ?? 4;
    this.#retryDelayMs = options.retryDelayMs ?? defaultRetryDelay;
    this.#onJobFinished = options.onJobFinished ?? (() => {});
    this.#runner = options.createRunner({
      onProgress: (jobId, progress) => this.#onProgress(jobId, progress),
      onDone: (jobId, outcome) => this.#onDone(jobId, outcome),
      onFailed: (jobId, failure) => this.#onFailed(jobId, failure),
    });
  }

  /**
   * Starts processing: jobs a stopped process left `running` go back to the queue (ingestion is idempotent
   * by content hash, so a rerun stores each chunk once), then queued jobs run in order.
   */
  start(): void {
    if (this.#started) return;
    this.#started = true;
    const requeued = this.store.requeueRunning();
    for (const job of this.store.listByStatus("queued")) {
      const document = this.#findDocument(job.workspaceId, job.documentId);
      if (document?.status === "processing")
        this.#kb.setDocumentStatus(job.documentId, "queued", document.error);
    }
    if (requeued > 0) this.#logger.info({ requeued }, "Resuming unfinished ingestion jobs");
    this.#pump();
  }

  /**
   * Records an uploaded original as a queued document plus its job, in one transaction, and schedules it.
   * Returns the document (status `queued`).
   */
  enqueueUpload(input: EnqueueUploadInput): DocumentRecord {
    const document = this.#kb.db
      .transaction(() => {
        const queued = this.#kb.queueDocument({
          workspace: input.workspace.slug,
          name: input.name,
          bytes: input.bytes,
          fileHash: input.fileHash,
        });
        this.store.insert({
          workspaceId: input.workspace.id,
          documentId: queued.id,
          fileHash: input.fileHash,
          name: input.name,
        });
        return queued;
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads first cannot upgrade
        // while an ingest worker writes (SQLITE_BUSY without waiting).
      })
      .immediate();
    this.#publish(document, null);
    this.#pump();
    return document;
  }

  /**
   * Cancels the unfinished job of a document: a queued job is dropped at once, a running one is asked to
   * stop. The document goes back to its previous version if it has one, else ends `failed`.
   * Throws `conflict:job` when nothing is queued or running for it.
   */
  cancel(document: DocumentRecord): DocumentRecord {
    const documentId = document.id;
    const jobs = this.store.unfinishedForDocument(documentId);
    if (jobs.length === 0) {
      throw new AppError("conflict:job", "The document has no queued or running ingestion to cancel", 409);
    }
    for (const job of jobs) {
      this.store.update(job.id, { status: "cancelled", error: "Cancelled by request", runAfter: null });
      // A running job is counted when the runner reports back.
      if (this.#inFlight.has(job.id)) this.#runner.cancel(job.id);
      else this.#onJobFinished("cancelled");
    }
    // A running job settles the document when the runner reports back; settle it now for the UI.
    return this.#settleDocument(document.workspaceId, documentId, "Ingestion was cancelled");
  }

  /**
   * Queues the document's last uploaded original again, after a failure or a cancel.
   * Throws `conflict:job` when a job is still unfinished and `conflict:document` when there is nothing to retry.
   */
  retry(document: DocumentRecord): DocumentRecord {
    const documentId = document.id;
    if (this.store.unfinishedForDocument(documentId).length > 0) {
      throw new AppError("conflict:job", "The document is already queued or being processed", 409);
    }
    const last = this.store.latestForDocument(documentId);
    if (!last || (last.status !== "failed" && last.status !== "cancelled")) {
      throw new AppError(
        "conflict:document",
        "Only a document whose last ingestion failed or was cancelled can be retried",
        409,
      );
    }
    const queued = this.#kb.db
      .transaction(() => {
        this.store.insert({
          workspaceId: last.workspaceId,
          documentId,
          fileHash: last.fileHash,
          name: last.name,
        });
        return this.#kb.setDocumentStatus(documentId, "queued", null);
      })
      .immediate();
    this.#publish(queued, null);
    this.#pump();
    return queued;
  }

  /** Stops and forgets every job of a document (before the document is deleted). */
  forgetDocument(documentId: string): void {
    for (const job of this.store.unfinishedForDocument(documentId)) {
      this.store.update(job.id, { status: "cancelled" });
      if (this.#inFlight.has(job.id)) this.#runner.cancel(job.id);
    }
    this.store.deleteForDocument(documentId);
  }

  /** Stops and forgets every job of a workspace (before the workspace is deleted). */
  forgetWorkspace(workspaceId: string): void {
    for (const status of ["queued", "running"] as const) {
      for (const job of this.store.listForWorkspace(workspaceId, status)) {
        this.store.update(job.id, { status: "cancelled" });
        if (this.#inFlight.has(job.id)) this.#runner.cancel(job.id);
      }
    }
    this.store.deleteForWorkspace(workspaceId);
  }

  /** Last reported progress of a document's running job, if any. */
  progressOf(documentId: string): IngestProgress | null {
    for (const job of this.#inFlight.values()) {
      if (job.documentId === documentId) return this.store.get(job.id)?.progress ?? null;
    }
    return null;
  }

  /** The current state of a document as a progress event (used to greet new SSE subscribers). */
  eventFor(document: DocumentRecord): DocumentEvent {
    return this.#withErrorCode(toEvent(document, this.progressOf(document.id)));
  }

  /**
   * The code of a document's recorded failure (`invalid:encrypted`, `unavailable:ollama`, ...), read from its
   * newest job; null when it has no error or the error has no code (a cancel, a failure from the CLI).
   */
  errorCodeOf(document: DocumentRecord): string | null {
    if (!document.error) return null;
    return errorCodeFromJobError(this.store.latestForDocument(document.id)?.error ?? null);
  }

  #withErrorCode(event: DocumentEvent): DocumentEvent {
    if (event.error === undefined) return event;
    const code = errorCodeFromJobError(this.store.latestForDocument(event.id)?.error ?? null);
    return code ? { ...event, errorCode: code } : event;
  }

  /** Resolves once no job is queued or running (tests and tools). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops the runner; running jobs go back to `queued` so the next start resumes them.
   * Waiting {@link whenIdle} callers are released.
   */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#wakeTimer);
    await this.#runner.close();
    await this.#indexing;
    for (const job of this.#inFlight.values()) {
      if (this.store.get(job.id)?.status === "running") this.store.update(job.id, { status: "queued" });
    }
    this.#inFlight.clear();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #isIdle(): boolean {
    return (
      this.#indexing === undefined &&
      this.#unindexedWorkspaces.size === 0 &&
      this.#inFlight.size === 0 &&
      this.store.listByStatus("queued").length === 0 &&
      this.store.listByStatus("running").length === 0
    );
  }

  #pump(): void {
    if (!this.#started || this.#closing) return;
    clearTimeout(this.#wakeTimer);
    this.#wakeTimer = undefined;
    while (this.#inFlight.size < this.#runner.capacity) {
      const busy = new Set([...this.#inFlight.values()].map((running) => running.documentId));
      const job = this.store.nextRunnable(new Date(), busy);
      if (!job) break;
      this.#startJob(job);
    }
    const wakeAt = this.store.nextWakeUp(new Date());
    if (wakeAt) {
      this.#wakeTimer = setTimeout(() => this.#pump(), Math.max(10, wakeAt.getTime() - Date.now()));
      this.#wakeTimer.unref();
    }
    this.#updateIndexesWhenQuiet();
    if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /**
   * Once no job is queued or running, folds the newly stored chunks of each touched workspace into its
   * full-text and vector indexes (see `KnowledgeBase.optimize`). Waiting for quiet keeps that compaction from
   * racing the workers' writes, and does it once per batch instead of once per document.
   */
  #updateIndexesWhenQuiet(): void {
    if (this.#indexing || this.#closing || this.#unindexedWorkspaces.size === 0 || this.#inFlight.size > 0)
      return;
    if (this.store.listByStatus("queued").length > 0 || this.store.listByStatus("running").length > 0) return;
    const slugs = [...this.#unindexedWorkspaces];
    this.#unindexedWorkspaces.clear();
    this.#indexing = (async () => {
      for (const slug of slugs) {
        try {
          const started = performance.now();
          await this.#kb.optimize(slug);
          // LanceDB rewrites the workspace's table to do it: the time grows with the workspace (bench/ingest/fold.mjs).
          this.#logger.info(
            { workspace: slug, ms: Math.round(performance.now() - started) },
            "Search indexes updated with the new chunks",
          );
        } catch (error) {
          this.#logger.warn(
            { err: error, workspace: slug },
            "Updating the search indexes failed; the next batch retries",
          );
        }
      }
    })().finally(() => {
      this.#indexing = undefined;
      this.#pump();
    });
  }

  #startJob(job: JobRecord): void {
    const workspace = this.#findWorkspace(job.workspaceId);
    const document = workspace ? this.#kb.getDocument(workspace.slug, job.documentId) : undefined;
    if (!workspace || !document) {
      this.store.update(job.id, { status: "cancelled", error: "The document was deleted" });
      return;
    }
    if (job.attempts >= this.#maxAttempts) {
      this.#fail(
        job,
        `Gave up after ${job.attempts} attempts: ${job.error ?? "the ingestion kept stopping"}`,
      );
      return;
    }
    const running = this.store.update(job.id, {
      status: "running",
      attempts: job.attempts + 1,
      progress: null,
      runAfter: null,
    })!;
    this.#inFlight.set(job.id, running);
    this.#logger.debug({ jobId: job.id, document: job.name, attempt: running.attempts }, "Ingestion started");
    this.#publish({ ...document, status: "processing" }, null);
    try {
      this.#runner.run({
        jobId: job.id,
        workspace: workspace.slug,
        documentId: job.documentId,
        name: job.name,
        fileHash: job.fileHash,
      });
    } catch (error) {
      this.#inFlight.delete(job.id);
      this.store.update(job.id, { status: "queued", attempts: job.attempts });
      throw error;
    }
  }

  #onProgress(jobId: string, progress: IngestProgress): void {
    const job = this.#inFlight.get(jobId);
    if (!job) return;
    this.store.update(jobId, { progress });
    const document = this.#findDocument(job.workspaceId, job.documentId);
    if (document) this.#publish({ ...document, status: "processing" }, progress);
  }

  #onDone(jobId: string, outcome: IngestOutcome): void {
    const job = this.#inFlight.get(jobId);
    this.#inFlight.delete(jobId);
    if (!job || this.#closing) return;
    const current = this.store.get(jobId);
    if (current) this.store.update(jobId, { status: "done", error: null, progress: null });
    this.#logger.info({ jobId, document: job.name, status: outcome.status }, "Document ingested");
    this.#onJobFinished(outcome.status === "ingested" ? "ingested" : "unchanged");
    if (outcome.status === "ingested") {
      const workspace = this.#findWorkspace(job.workspaceId);
      if (workspace) this.#unindexedWorkspaces.add(workspace.slug);
    }
    const document = this.#findDocument(job.workspaceId, job.documentId) ?? outcome.document;
    this.#publish(document, null);
    this.#pump();
  }

  #onFailed(jobId: string, reported: IngestFailure): void {
    const failure = publicFailure(reported, (raw) =>
      this.#logger.error({ jobId, code: raw.code, cause: raw.message }, "Ingestion failed unexpectedly"),
    );
    const job = this.#inFlight.get(jobId);
    this.#inFlight.delete(jobId);
    if (!job || this.#closing) return;
    const current = this.store.get(jobId);
    if (!current || current.status === "cancelled") {
      // Cancelled or deleted meanwhile: only put the document into a settled state.
      if (current) this.#settleDocument(job.workspaceId, job.documentId, "Ingestion was cancelled");
      this.#onJobFinished("cancelled");
      this.#pump();
      return;
    }
    if (failure.retryable && current.attempts < this.#maxAttempts) {
      const delay = this.#retryDelayMs(current.attempts);
      const reason = `${failure.message} (attempt ${current.attempts} of ${this.#maxAttempts}; retrying in ${Math.ceil(delay / 1000)} s)`;
      this.store.update(jobId, {
        status: "queued",
        error: `${failure.code}: ${failure.message}`,
        progress: null,
        runAfter: new Date(Date.now() + delay).toISOString(),
      });
      this.#onJobFinished("retrying");
      this.#logger.warn(
        { jobId, document: job.name, code: failure.code, delay },
        "Ingestion failed; will retry",
      );
      try {
        const document = this.#kb.setDocumentStatus(job.documentId, "queued", reason);
        this.#publish(document, null);
      } catch (error) {
        this.#logger.debug({ err: error }, "Document vanished while retrying");
      }
    } else {
      this.#fail(current, failure.message, failure.code);
    }
    this.#pump();
  }

  #fail(job: JobRecord, message: string, code = "failed:ingest"): void {
    this.store.update(job.id, {
      status: "failed",
      error: `${code}: ${message}`,
      progress: null,
      runAfter: null,
    });
    this.#logger.warn({ jobId: job.id, document: job.name, code }, `Ingestion failed: ${message}`);
    this.#onJobFinished("failed");
    this.#settleDocument(job.workspaceId, job.documentId, message);
  }

  /**
   * After a final failure or a cancel, leaves the document in a resting state: whatever the ingest left
   * (`ready` keeping the old version, or `failed`), otherwise `ready` when an earlier version is stored and
   * `failed` when none is. Always records `reason`.
   */
  #settleDocument(workspaceId: string, documentId: string, reason: string): DocumentRecord {
    const document = this.#findDocument(workspaceId, documentId);
    if (!document) throw new AppError("not_found:document", `No document ${documentId}`, 404);
    let settled = document;
    if (document.status === "queued" || document.status === "processing") {
      settled = this.#kb.setDocumentStatus(documentId, document.contentHash ? "ready" : "failed", reason);
    } else if (document.error !== reason && document.status === "failed") {
      settled = this.#kb.setDocumentStatus(documentId, "failed", reason);
    }
    this.#publish(settled, null);
    return settled;
  }

  #findWorkspace(workspaceId: string): WorkspaceRecord | undefined {
    return this.#kb.listWorkspaces().find((candidate) => candidate.id === workspaceId);
  }

  #findDocument(workspaceId: string, documentId: string): DocumentRecord | undefined {
    const workspace = this.#findWorkspace(workspaceId);
    return workspace ? this.#kb.getDocument(workspace.slug, documentId) : undefined;
  }

  #publish(document: DocumentRecord, progress: IngestProgress | null): void {
    this.#events.publish(document.workspaceId, this.#withErrorCode(toEvent(document, progress)));
  }
}

/** The code a job's error starts with (jobs record failures as `<code>: <message>`), or null. */
export function errorCodeFromJobError(error: string | null): string | null {
  return error?.match(/^([a-z_]+:[a-z_]+): /)?.[1] ?? null;
}

/** Builds the `document` SSE payload from a document and its running job's progress. */
export function toEvent(document: DocumentRecord, progress: IngestProgress | null): DocumentEvent {
  const event: DocumentEvent = { id: document.id, name: document.name, status: document.status };
  if (progress && document.status === "processing") {
    event.stage = progress.stage;
    if (progress.stage === "embedding") {
      event.done = progress.done;
      event.total = progress.total;
    }
  }
  if (document.error) event.error = document.error;
  if (document.status === "ready") event.chunks = document.chunks;
  return event;
}
