import { createRequire } from "node:module";
import { Worker } from "node:worker_threads";
import type { IngestOutcome, IngestProgress } from "@zhiku/ingest";
import type { Logger } from "../../logger.js";
import type { IngestRunner, IngestRunnerFactory, IngestRunnerHandlers, IngestTask } from "./ingest-runner.js";

/** Data each ingest worker starts with (the protocol of `@zhiku/ingest/ingest-worker`). */
export interface IngestWorkerData {
  dataDir: string;
  ollamaHost: string;
  embedModel: string;
  maxBytes?: number;
}

type WorkerReply =
  | { type: "ready" }
  | { type: "progress"; jobId: string; progress: IngestProgress }
  | { type: "done"; jobId: string; outcome: IngestOutcome }
  | { type: "failed"; jobId: string; error: { code: string; message: string }; retryable: boolean };

/** Options for {@link createWorkerPoolRunner}. */
export interface WorkerPoolOptions {
  /** Number of worker threads, each ingesting one document at a time. */
  size: number;
  /** Data passed to every worker. */
  workerData: IngestWorkerData;
  /** Logger for worker crashes. */
  logger: Logger;
  /** Path of the worker script; defaults to `@zhiku/ingest/ingest-worker`. */
  workerPath?: string;
  /** How long a cancelled task may take to stop before its worker is terminated. Default 15 s. */
  cancelGraceMs?: number;
}

/** Resolves the compiled worker entry of the ingest package. */
export function resolveIngestWorkerPath(): string {
  return createRequire(import.meta.url).resolve("@zhiku/ingest/ingest-worker");
}

interface Slot {
  worker: Worker;
  jobId: string | undefined;
  cancelTimer: NodeJS.Timeout | undefined;
}

/**
 * A runner backed by `size` worker threads, so parsing and embedding never block the API's event loop.
 * A worker that dies is replaced; its task is reported as a retryable failure.
 */
export function createWorkerPoolRunner(options: WorkerPoolOptions): IngestRunnerFactory {
  return (handlers) => new WorkerPoolRunner(options, handlers);
}

class WorkerPoolRunner implements IngestRunner {
  readonly capacity: number;
  readonly #options: WorkerPoolOptions;
  readonly #handlers: IngestRunnerHandlers;
  readonly #workerPath: string;
  readonly #slots: Slot[] = [];
  #closing = false;

  constructor(options: WorkerPoolOptions, handlers: IngestRunnerHandlers) {
    this.capacity = Math.max(1, options.size);
    this.#options = options;
    this.#handlers = handlers;
    this.#workerPath = options.workerPath ?? resolveIngestWorkerPath();
  }

  run(task: IngestTask): void {
    if (this.#closing) throw new Error("The worker pool is closed");
    let slot = this.#slots.find((candidate) => candidate.jobId === undefined);
    if (!slot) {
      if (this.#slots.length >= this.capacity) throw new Error("No idle ingest worker");
      slot = this.#spawn();
    }
    slot.jobId = task.jobId;
    slot.worker.postMessage({ type: "ingest", ...task });
  }

  cancel(jobId: string): void {
    const slot = this.#slots.find((candidate) => candidate.jobId === jobId);
    if (!slot) return;
    slot.worker.postMessage({ type: "cancel", jobId });
    clearTimeout(slot.cancelTimer);
    slot.cancelTimer = setTimeout(() => {
      if (slot.jobId === jobId) {
        this.#options.logger.warn({ jobId }, "Ingest worker ignored cancel; terminating it");
        void slot.worker.terminate();
      }
    }, this.#options.cancelGraceMs ?? 15_000);
    slot.cancelTimer.unref();
  }

  async close(): Promise<void> {
    this.#closing = true;
    const slots = this.#slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        clearTimeout(slot.cancelTimer);
        if (slot.worker.threadId === -1) return; // already exited
        const exited = new Promise<void>((resolve) => slot.worker.once("exit", () => resolve()));
        slot.worker.postMessage({ type: "close" });
        const timer = setTimeout(() => void slot.worker.terminate(), 5_000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }

  #spawn(): Slot {
    const worker = new Worker(this.#workerPath, { workerData: this.#options.workerData });
    const slot: Slot = { worker, jobId: undefined, cancelTimer: undefined };
    this.#slots.push(slot);
    worker.on("message", (reply: WorkerReply) => this.#onReply(slot, reply));
    worker.on("error", (error) => {
      this.#options.logger.error({ err: error }, "Ingest worker crashed");
    });
    worker.on("exit", (exitCode) => {
      const index = this.#slots.indexOf(slot);
      if (index >= 0) this.#slots.splice(index, 1);
      clearTimeout(slot.cancelTimer);
      const jobId = slot.jobId;
      slot.jobId = undefined;
      if (jobId && !this.#closing) {
        this.#handlers.onFailed(jobId, {
          code: "unavailable:worker",
          message: `The ingest worker stopped unexpectedly (exit code ${exitCode})`,
          retryable: true,
        });
      }
    });
    return slot;
  }

  #onReply(slot: Slot, reply: WorkerReply): void {
    if (reply.type === "ready") return;
    if (reply.jobId !== slot.jobId) return;
    if (reply.type === "progress") {
      this.#handlers.onProgress(reply.jobId, reply.progress);
      return;
    }
    clearTimeout(slot.cancelTimer);
    slot.jobId = undefined;
    if (reply.type === "done") {
      this.#handlers.onDone(reply.jobId, reply.outcome);
    } else {
      this.#handlers.onFailed(reply.jobId, { ...reply.error, retryable: reply.retryable });
    }
  }
}
