import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { IngestWorkerData, IngestWorkerEvent, IngestWorkerRequest } from "@zhiku/ingest";
import type { Logger } from "../../logger.js";
import type { IngestRunner, IngestRunnerFactory, IngestRunnerHandlers, IngestTask } from "./ingest-runner.js";

/** Options for {@link createWorkerPoolRunner}. */
export interface WorkerPoolOptions {
  /** Number of worker threads. */
  size: number;
  /**
   * Documents each worker ingests at once. Default 4: one is parsed while the others wait on Ollama, which
   * otherwise sits idle between one document's embeddings and the next's.
   */
  tasksPerWorker?: number;
  /** Data passed to every worker. */
  workerData: IngestWorkerData;
  /** Logger for worker crashes. */
  logger: Logger;
  /** Path of the worker script; defaults to `@zhiku/ingest/ingest-worker`. */
  workerPath?: string;
  /** How long a cancelled task may take to stop before its worker is retired. Default 15 s. */
  cancelGraceMs?: number;
}

/** Resolves the compiled worker entry of the ingest package. */
export function resolveIngestWorkerPath(): string {
  return createRequire(import.meta.url).resolve("@zhiku/ingest/ingest-worker");
}

interface Slot {
  worker: Worker;
  /** Jobs the worker is running. */
  jobIds: Set<string>;
  /** Grace timers of cancelled jobs, by job. */
  cancelTimers: Map<string, NodeJS.Timeout>;
  /** Why the worker could not start, from its `fatal` event. */
  fatal: string | undefined;
}

/**
 * A runner backed by `size` worker threads, so parsing and embedding never block the API's event loop, each
 * running up to `tasksPerWorker` documents. A worker that dies is replaced; its tasks are reported as retryable
 * failures. The workers hold LanceDB calls, so they have no heap limit and are never terminated while they run
 * tasks: the heap limit and the stall timeout belong to the parse workers each of them starts (see
 * `createParsePool` in the ingest package), where stopping a thread is safe.
 */
export function createWorkerPoolRunner(options: WorkerPoolOptions): IngestRunnerFactory {
  return (handlers) => new WorkerPoolRunner(options, handlers);
}

/** The pool: see {@link createWorkerPoolRunner}. */
class WorkerPoolRunner implements IngestRunner {
  readonly capacity: number;
  readonly #size: number;
  readonly #tasksPerWorker: number;
  readonly #options: WorkerPoolOptions;
  readonly #handlers: IngestRunnerHandlers;
  readonly #workerPath: string;
  readonly #slots: Slot[] = [];
  /** Workers that ignored a cancel: finishing their tasks, then closed. */
  readonly #retired: Slot[] = [];
  #closing = false;

  constructor(options: WorkerPoolOptions, handlers: IngestRunnerHandlers) {
    this.#size = Math.max(1, options.size);
    this.#tasksPerWorker = Math.max(1, options.tasksPerWorker ?? 4);
    this.capacity = this.#size * this.#tasksPerWorker;
    this.#options = options;
    this.#handlers = handlers;
    this.#workerPath = options.workerPath ?? resolveIngestWorkerPath();
  }

  run(task: IngestTask): void {
    if (this.#closing) throw new Error("The worker pool is closed");
    // A new worker while there are fewer than `size` and all are busy, else the least busy one with room.
    const leastBusy = this.#slots.reduce<Slot | undefined>(
      (best, candidate) => (!best || candidate.jobIds.size < best.jobIds.size ? candidate : best),
      undefined,
    );
    let slot: Slot;
    if (this.#slots.length < this.#size && (!leastBusy || leastBusy.jobIds.size > 0)) slot = this.#spawn();
    else if (leastBusy && leastBusy.jobIds.size < this.#tasksPerWorker) slot = leastBusy;
    else throw new Error("No idle ingest worker");
    slot.jobIds.add(task.jobId);
    this.#post(slot, { type: "ingest", ...task });
  }

  holds(jobId: string): boolean {
    return [...this.#slots, ...this.#retired].some((slot) => slot.jobIds.has(jobId));
  }

  cancel(jobId: string): void {
    const slot = this.#slots.find((candidate) => candidate.jobIds.has(jobId));
    if (!slot) return;
    this.#post(slot, { type: "cancel", jobId });
    clearTimeout(slot.cancelTimers.get(jobId));
    const timer = setTimeout(() => {
      if (slot.jobIds.has(jobId)) {
        // Never terminated: a thread stopped with LanceDB calls in flight aborts the whole process (LanceDB's
        // native module then resolves their promises into the freed thread; bench/stress/probe-lancedb-terminate.mjs).
        // Retired instead: it takes no new tasks and is closed once its tasks have ended.
        this.#options.logger.warn({ jobId }, "Ingest worker ignored cancel; retiring it once its tasks end");
        this.#retire(slot);
      }
    }, this.#options.cancelGraceMs ?? 15_000);
    timer.unref();
    slot.cancelTimers.set(jobId, timer);
  }

  async close(): Promise<void> {
    this.#closing = true;
    const slots = [...this.#slots.splice(0), ...this.#retired.splice(0)];
    await Promise.all(
      slots.map(async (slot) => {
        for (const timer of slot.cancelTimers.values()) clearTimeout(timer);
        if (slot.worker.threadId === -1) return; // already exited
        const exited = new Promise<void>((resolve) => slot.worker.once("exit", () => resolve()));
        this.#post(slot, { type: "close" });
        const timer = setTimeout(() => void slot.worker.terminate(), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #post(slot: Slot, request: IngestWorkerRequest): void {
    slot.worker.postMessage(request);
  }

  #spawn(): Slot {
    // No resourceLimits: a thread V8 stops at its heap limit with LanceDB calls in flight aborts the process.
    const worker = new Worker(this.#workerPath, { workerData: this.#options.workerData });
    const slot: Slot = { worker, jobIds: new Set(), cancelTimers: new Map(), fatal: undefined };
    this.#slots.push(slot);
    worker.on("message", (event: IngestWorkerEvent) => this.#onEvent(slot, event));
    worker.on("error", (error: Error) => {
      this.#options.logger.error({ err: error, jobs: [...slot.jobIds] }, "Ingest worker crashed");
    });
    worker.on("exit", (exitCode) => this.#onExit(slot, exitCode));
    return slot;
  }

  #retire(slot: Slot): void {
    const index = this.#slots.indexOf(slot);
    if (index < 0) return;
    this.#slots.splice(index, 1);
    this.#retired.push(slot);
    if (slot.jobIds.size === 0) this.#post(slot, { type: "close" });
  }

  #onExit(slot: Slot, exitCode: number): void {
    const index = this.#slots.indexOf(slot);
    if (index >= 0) this.#slots.splice(index, 1);
    const retired = this.#retired.indexOf(slot);
    if (retired >= 0) this.#retired.splice(retired, 1);
    for (const timer of slot.cancelTimers.values()) clearTimeout(timer);
    const jobIds = [...slot.jobIds];
    slot.jobIds.clear();
    if (this.#closing) return;
    for (const jobId of jobIds) {
      this.#handlers.onFailed(jobId, {
        code: "unavailable:worker",
        message: slot.fatal
          ? `The ingest worker could not start: ${slot.fatal}`
          : `The ingest worker stopped unexpectedly (exit code ${exitCode})`,
        retryable: true,
      });
    }
  }

  #onEvent(slot: Slot, event: IngestWorkerEvent): void {
    if (event.type === "ready") return;
    if (event.type === "fatal") {
      slot.fatal = event.message;
      this.#options.logger.error({ reason: event.message }, "Ingest worker could not start");
      return;
    }
    if (!slot.jobIds.has(event.jobId)) return;
    if (event.type === "progress") {
      this.#handlers.onProgress(event.jobId, event.progress);
      return;
    }
    clearTimeout(slot.cancelTimers.get(event.jobId));
    slot.cancelTimers.delete(event.jobId);
    slot.jobIds.delete(event.jobId);
    if (slot.jobIds.size === 0 && this.#retired.includes(slot)) this.#post(slot, { type: "close" });
    if (event.type === "done") {
      this.#handlers.onDone(event.jobId, event.outcome);
    } else {
      this.#handlers.onFailed(event.jobId, { ...event.error, retryable: event.retryable });
    }
  }
}
