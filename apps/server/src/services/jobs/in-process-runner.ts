import { isZhikuError, type KnowledgeBase } from "@zhiku/ingest";
import type { IngestRunner, IngestRunnerFactory, IngestRunnerHandlers, IngestTask } from "./ingest-runner.js";

/** Options for {@link createInProcessRunner}. */
export interface InProcessRunnerOptions {
  /** The knowledge base to ingest into. */
  kb: KnowledgeBase;
  /** Tasks run at once. Default 1. */
  capacity?: number;
  /** Largest accepted original, in bytes. */
  maxBytes?: number;
}

/** True for failures worth trying again later: Ollama unreachable or failing. */
export function isRetryableCode(code: string): boolean {
  return code.startsWith("unavailable:");
}

/**
 * A runner that ingests on the calling thread, for tools and tests that cannot load the worker entry;
 * the server uses the worker pool so ingestion stays off the API's event loop.
 */
export function createInProcessRunner(options: InProcessRunnerOptions): IngestRunnerFactory {
  return (handlers) => new InProcessRunner(options, handlers);
}

class InProcessRunner implements IngestRunner {
  readonly capacity: number;
  readonly #options: InProcessRunnerOptions;
  readonly #handlers: IngestRunnerHandlers;
  readonly #running = new Map<string, AbortController>();
  #closed = false;

  constructor(options: InProcessRunnerOptions, handlers: IngestRunnerHandlers) {
    this.capacity = options.capacity ?? 1;
    this.#options = options;
    this.#handlers = handlers;
  }

  run(task: IngestTask): void {
    const controller = new AbortController();
    this.#running.set(task.jobId, controller);
    void this.#ingest(task, controller);
  }

  cancel(jobId: string): void {
    this.#running.get(jobId)?.abort();
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const controller of this.#running.values()) controller.abort();
    this.#running.clear();
  }

  async #ingest(task: IngestTask, controller: AbortController): Promise<void> {
    const { kb, maxBytes } = this.#options;
    try {
      const bytes = await kb.files.read(task.fileHash);
      const outcome = await kb.ingest({
        workspace: task.workspace,
        name: task.name,
        bytes,
        documentId: task.documentId,
        ...(maxBytes === undefined ? {} : { maxBytes }),
        signal: controller.signal,
        onProgress: (progress) => {
          if (!this.#closed) this.#handlers.onProgress(task.jobId, progress);
        },
      });
      if (!this.#closed) this.#handlers.onDone(task.jobId, outcome);
    } catch (error) {
      if (this.#closed) return;
      const code = isZhikuError(error)
        ? error.code
        : controller.signal.aborted
          ? "cancelled:job"
          : "internal:error";
      const message = error instanceof Error ? error.message : String(error);
      this.#handlers.onFailed(task.jobId, { code, message, retryable: isRetryableCode(code) });
    } finally {
      this.#running.delete(task.jobId);
    }
  }
}
