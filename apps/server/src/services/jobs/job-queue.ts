import type { DocumentRecord, IngestOutcome, IngestProgress, KnowledgeBase } from "@zhiku/ingest";
import { ZhikuError } from "@zhiku/ingest";
import type { Logger } from "../../logger.js";
import type { DocumentEvent, DocumentEventBus } from "./document-events.js";
import { DocumentLifecycle, type QueueUploadInput } from "./document-lifecycle.js";
import { IndexUpkeep } from "./index-upkeep.js";
import type { IngestFailure, IngestRunner, IngestRunnerFactory } from "./ingest-runner.js";
import { type JobRecord, JobStore } from "./job-store.js";
import { startJobWatchdog } from "./job-watchdog.js";
import { publicFailure } from "./public-failure.js";
import { defaultRetryDelay, retryReason } from "./retry-policy.js";

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
  /** How often the watchdog checks for vanished workers and missed wake-ups, in ms. Default 30 s. */
  watchdogIntervalMs?: number;
  /** Told each time a job ends, or goes back to the queue for a retry (the server counts these in its metrics). */
  onJobFinished?: (outcome: JobFinishedOutcome) => void;
  /**
   * How long {@link JobQueue.close} waits for an index fold in progress, in ms. Default 10 s: the server's stop
   * must end within the 30 s compose grants before SIGKILL, and a fold of a large workspace takes longer.
   */
  foldGraceMs?: number;
}

/** How a job ended: ingested, unchanged (same content as stored), failed, cancelled, or retrying later. */
export type JobFinishedOutcome = "ingested" | "unchanged" | "failed" | "cancelled" | "retrying";

/**
 * The background ingestion queue: jobs live in SQLite so they survive restarts; a runner executes them
 * (worker threads in the server); each transition updates the document and is published per workspace.
 * A retry after a backoff starts on its own timer; a watchdog re-queues jobs whose worker vanished.
 */
export class JobQueue {
  readonly store: JobStore;
  /** The documents' states as ingestion moves them (and the codes of their recorded failures). */
  readonly documents: DocumentLifecycle;
  readonly #kb: KnowledgeBase;
  readonly #indexes: IndexUpkeep;
  readonly #logger: Logger;
  readonly #runner: IngestRunner;
  readonly #maxAttempts: number;
  readonly #retryDelayMs: (attempt: number) => number;
  readonly #watchdogIntervalMs: number;
  readonly #onJobFinished: (outcome: JobFinishedOutcome) => void;
  readonly #foldGraceMs: number;
  /** Jobs handed to the runner, by id. */
  readonly #inFlight = new Map<string, JobRecord>();
  /** The last progress each running job reported, by job id: kept here, never written to the database. */
  readonly #progress = new Map<string, IngestProgress>();
  readonly #idleWaiters: (() => void)[] = [];
  #started = false;
  #closing = false;
  #wakeTimer: NodeJS.Timeout | undefined;
  #stopWatchdog: (() => void) | undefined;

  constructor(options: JobQueueOptions) {
    this.store = new JobStore(options.kb.db);
    this.documents = new DocumentLifecycle({ kb: options.kb, events: options.events, jobs: this.store });
    this.#kb = options.kb;
    this.#indexes = new IndexUpkeep({ kb: options.kb, logger: options.logger });
    this.#logger = options.logger;
    this.#maxAttempts = options.maxAttempts ?? 4;
    this.#retryDelayMs = options.retryDelayMs ?? defaultRetryDelay;
    this.#watchdogIntervalMs = options.watchdogIntervalMs ?? 30_000;
    this.#onJobFinished = options.onJobFinished ?? (() => {});
    this.#foldGraceMs = options.foldGraceMs ?? 10_000;
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
      const document = this.documents.find(job.workspaceId, job.documentId);
      if (document?.status === "processing") this.documents.markQueued(job.documentId, document.error);
    }
    if (requeued > 0) this.#logger.info({ requeued }, "Resuming unfinished ingestion jobs");
    this.#stopWatchdog = startJobWatchdog({
      intervalMs: this.#watchdogIntervalMs,
      check: () => this.reconcile(),
    });
    this.#pump();
    void this.#foldOwedIndexes();
  }

  /**
   * Touches each workspace whose full-text index misses chunks, which a stop during the fold (see {@link close}) or
   * a crash before it leaves behind, so the next quiet moment folds them even if nothing more is ingested there.
   */
  async #foldOwedIndexes(): Promise<void> {
    for (const workspace of this.#kb.listWorkspaces()) {
      if (this.#closing) return;
      try {
        const unfolded = await this.#kb.unfoldedChunks(workspace.slug);
        if (unfolded === 0) continue;
        this.#logger.info(
          { workspace: workspace.slug, unfolded },
          "Folding chunks a previous run left out of the search indexes",
        );
        this.#indexes.touch(workspace.slug);
      } catch (error) {
        this.#logger.warn(
          { err: error, workspace: workspace.slug },
          "Could not tell whether the search indexes are up to date",
        );
      }
    }
    this.#pump();
  }

  /**
   * Records uploaded originals as queued documents plus their jobs, all in one transaction (one request's files
   * cost one wait for the database lock, not one each), and schedules them. Returns the documents (status
   * `queued`), in order.
   */
  enqueueUploads(inputs: readonly QueueUploadInput[]): DocumentRecord[] {
    if (inputs.length === 0) return [];
    const documents = this.store.transaction(() =>
      inputs.map((input) => {
        const queued = this.documents.queueUpload(input);
        this.store.insert({
          workspaceId: input.workspace.id,
          documentId: queued.id,
          fileHash: input.fileHash,
          name: input.name,
        });
        return queued;
      }),
    );
    for (const document of documents) this.documents.publish(document, null);
    this.#pump();
    return documents;
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
      throw new ZhikuError("conflict:job", "The document has no queued or running ingestion to cancel");
    }
    for (const job of jobs) {
      this.store.update(job.id, { status: "cancelled", error: "Cancelled by request", runAfter: null });
      // A running job is counted when the runner reports back.
      if (this.#inFlight.has(job.id)) this.#runner.cancel(job.id);
      else this.#onJobFinished("cancelled");
    }
    // A running job settles the document when the runner reports back; settle it now for the UI.
    return this.documents.settle(document.workspaceId, documentId, "Ingestion was cancelled");
  }

  /**
   * Queues the document's last uploaded original again, after a failure or a cancel.
   * Throws `conflict:job` when a job is still unfinished and `conflict:document` when there is nothing to retry.
   */
  retry(document: DocumentRecord): DocumentRecord {
    const documentId = document.id;
    if (this.store.unfinishedForDocument(documentId).length > 0) {
      throw new ZhikuError("conflict:job", "The document is already queued or being processed");
    }
    const last = this.store.latestForDocument(documentId);
    if (!last || (last.status !== "failed" && last.status !== "cancelled")) {
      throw new ZhikuError(
        "conflict:document",
        "Only a document whose last ingestion failed or was cancelled can be retried",
      );
    }
    const queued = this.store.transaction(() => {
      this.store.insert({
        workspaceId: last.workspaceId,
        documentId,
        fileHash: last.fileHash,
        name: last.name,
      });
      return this.documents.markQueued(documentId, null);
    });
    this.documents.publish(queued, null);
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
      if (job.documentId === documentId) return this.#progress.get(job.id) ?? null;
    }
    return null;
  }

  /** The current state of a document as a progress event (used to greet new SSE subscribers). */
  eventFor(document: DocumentRecord): DocumentEvent {
    return this.documents.eventFor(document, this.progressOf(document.id));
  }

  /**
   * The watchdog's check (every `watchdogIntervalMs`): a job handed to the runner that the runner no longer
   * holds, or a job stored `running` that nothing runs, goes back to the queue as a retryable failure; then
   * whatever is due starts.
   */
  reconcile(): void {
    if (!this.#started || this.#closing) return;
    for (const jobId of [...this.#inFlight.keys()]) {
      if (this.#runner.holds(jobId)) continue;
      this.#logger.warn({ jobId }, "Ingest worker vanished without reporting back; re-queueing its job");
      this.#onFailed(jobId, {
        code: "unavailable:worker",
        message: "The ingest worker vanished without reporting back",
        retryable: true,
      });
    }
    for (const job of this.store.listByStatus("running")) {
      if (this.#inFlight.has(job.id)) continue;
      this.#logger.warn({ jobId: job.id }, "A job was left running with no worker; re-queueing it");
      this.store.update(job.id, { status: "queued", runAfter: null });
    }
    this.#pump();
  }

  /** Resolves once no job is queued or running (tests and tools). */
  whenIdle(): Promise<void> {
    if (this.#isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.#idleWaiters.push(resolve));
  }

  /**
   * Stops the runner; running jobs go back to `queued` so the next start resumes them. An index fold in progress
   * is waited for up to `foldGraceMs`, then left to end or die with the process (it commits whole or not at all).
   * Waiting {@link whenIdle} callers are released.
   */
  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#wakeTimer);
    this.#stopWatchdog?.();
    await this.#runner.close();
    const upkeep = await this.#indexes.close({ graceMs: this.#foldGraceMs });
    if (upkeep.owed.length > 0)
      this.#logger.warn(
        { workspaces: upkeep.owed },
        "Stopping before the search indexes took in the newest chunks; the next start folds them",
      );
    for (const job of this.#inFlight.values()) {
      if (this.store.get(job.id)?.status === "running") this.store.update(job.id, { status: "queued" });
    }
    this.#inFlight.clear();
    this.#progress.clear();
    for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  #hasUnfinishedJobs(): boolean {
    const { queued, running } = this.store.countUnfinished();
    return queued + running > 0;
  }

  #isIdle(): boolean {
    return !this.#indexes.pending && this.#inFlight.size === 0 && !this.#hasUnfinishedJobs();
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
    this.#scheduleWake();
    // Folding new chunks into the indexes waits for quiet so it never races the workers' writes.
    if (this.#inFlight.size === 0 && !this.#hasUnfinishedJobs()) this.#indexes.runNow(() => this.#pump());
    if (this.#isIdle()) for (const resolve of this.#idleWaiters.splice(0)) resolve();
  }

  /** Sets the timer that starts the next job waiting out a backoff, so a retry needs no other event. */
  #scheduleWake(): void {
    const wakeAt = this.store.nextWakeUp(new Date());
    if (!wakeAt) return;
    this.#wakeTimer = setTimeout(() => this.#pump(), Math.max(10, wakeAt.getTime() - Date.now()));
    this.#wakeTimer.unref();
  }

  #startJob(job: JobRecord): void {
    const document = this.documents.find(job.workspaceId, job.documentId);
    const workspace = document ? this.documents.findWorkspace(job.workspaceId) : undefined;
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
      runAfter: null,
    })!;
    this.#inFlight.set(job.id, running);
    this.#logger.debug({ jobId: job.id, document: job.name, attempt: running.attempts }, "Ingestion started");
    // The row says what happens now: an earlier attempt's "retrying in 2 s" is over.
    this.documents.publish(this.documents.markProcessing(document), null);
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
    this.#progress.set(jobId, progress);
    const document = this.documents.find(job.workspaceId, job.documentId);
    if (document) this.documents.publish({ ...document, status: "processing" }, progress);
  }

  #onDone(jobId: string, outcome: IngestOutcome): void {
    const job = this.#inFlight.get(jobId);
    this.#inFlight.delete(jobId);
    this.#progress.delete(jobId);
    if (!job || this.#closing) return;
    if (this.store.get(jobId)) this.store.update(jobId, { status: "done", error: null });
    this.#logger.info(
      {
        jobId,
        document: job.name,
        status: outcome.status,
        // What OCR read and doubted, so an operator can find the scans to check (the report is not stored yet).
        ...(outcome.ocr
          ? {
              ocrPages: outcome.ocr.pages,
              ocrConfidence: outcome.ocr.confidence,
              ocrLowConfidenceWords: outcome.ocr.lowConfidenceCount,
            }
          : {}),
      },
      "Document ingested",
    );
    this.#onJobFinished(outcome.status === "ingested" ? "ingested" : "unchanged");
    if (outcome.status === "ingested") {
      const workspace = this.documents.findWorkspace(job.workspaceId);
      if (workspace) this.#indexes.touch(workspace.slug);
    }
    this.documents.publish(this.documents.find(job.workspaceId, job.documentId) ?? outcome.document, null);
    this.#pump();
  }

  #onFailed(jobId: string, reported: IngestFailure): void {
    const failure = publicFailure(reported, (raw) =>
      this.#logger.error({ jobId, code: raw.code, cause: raw.message }, "Ingestion failed unexpectedly"),
    );
    const job = this.#inFlight.get(jobId);
    this.#inFlight.delete(jobId);
    this.#progress.delete(jobId);
    if (!job || this.#closing) return;
    const current = this.store.get(jobId);
    if (!current || current.status === "cancelled") {
      // Cancelled or deleted meanwhile: only put the document into a settled state.
      if (current) this.documents.settle(job.workspaceId, job.documentId, "Ingestion was cancelled");
      this.#onJobFinished("cancelled");
      this.#pump();
      return;
    }
    if (failure.retryable && current.attempts < this.#maxAttempts) this.#scheduleRetry(current, failure);
    else this.#fail(current, failure.message, failure.code);
    this.#pump();
  }

  #scheduleRetry(job: JobRecord, failure: IngestFailure): void {
    const delayMs = this.#retryDelayMs(job.attempts);
    this.store.update(job.id, {
      status: "queued",
      error: `${failure.code}: ${failure.message}`,
      runAfter: new Date(Date.now() + delayMs).toISOString(),
    });
    this.#onJobFinished("retrying");
    this.#logger.warn(
      { jobId: job.id, document: job.name, code: failure.code, delay: delayMs },
      "Ingestion failed; will retry",
    );
    const reason = retryReason({
      message: failure.message,
      attempt: job.attempts,
      maxAttempts: this.#maxAttempts,
      delayMs,
    });
    try {
      this.documents.publish(this.documents.markQueued(job.documentId, reason), null);
    } catch (error) {
      this.#logger.debug({ err: error }, "Document vanished while retrying");
    }
  }

  #fail(job: JobRecord, message: string, code = "failed:ingest"): void {
    this.store.update(job.id, {
      status: "failed",
      error: `${code}: ${message}`,
      runAfter: null,
    });
    this.#logger.warn({ jobId: job.id, document: job.name, code }, `Ingestion failed: ${message}`);
    this.#onJobFinished("failed");
    this.documents.settle(job.workspaceId, job.documentId, message);
  }
}
