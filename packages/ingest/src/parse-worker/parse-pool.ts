import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import { type ErrorCode, ZhikuError } from "../errors.js";
import { DEFAULT_MAX_BYTES } from "../pipeline/parse-step.js";
import type { PrepareDocument, PreparedDocument, PrepareOptions } from "../pipeline/prepare-document.js";
import type { ParseEvent, ParseRequest } from "./parse-protocol.js";

/** Default heap of one parse worker, in MB: far above what a 50 MB upload's text and chunks need. */
export const DEFAULT_PARSE_HEAP_MB = 1024;

/**
 * Default stall timeout: a parse worker that reports nothing for this long is stopped. Parsing reports when it
 * starts, before each page it reads by OCR, and when chunking starts, so this bounds one parse of one file (or one
 * OCR page): generous, since a 50 MB PDF or DOCX on a busy machine legitimately takes minutes.
 */
export const DEFAULT_PARSE_STALL_MS = 300_000;

/** Default size from which a file is parsed in a worker of its own, beside the small ones rather than before them. */
export const DEFAULT_LARGE_FILE_BYTES = 1024 * 1024;

/** Options for {@link createParsePool}. */
export interface ParsePoolOptions {
  /** Largest JavaScript heap of one parse worker, in MB (its `resourceLimits`). Default {@link DEFAULT_PARSE_HEAP_MB}. */
  heapMb?: number;
  /** A worker that reports no progress for this long is terminated. Default {@link DEFAULT_PARSE_STALL_MS}. */
  stallMs?: number;
  /** Files of this many bytes or more get a worker of their own. Default {@link DEFAULT_LARGE_FILE_BYTES}. */
  largeFileBytes?: number;
  /** The worker script; the compiled `parse-worker.js` beside this module by default (tests pass a fake). */
  workerPath?: string;
}

/** Parsing and chunking in worker threads; see {@link createParsePool}. */
export interface ParsePool {
  /** Parses and chunks one file in a parse worker; the same contract as `prepareDocument`. */
  prepare: PrepareDocument;
  /** Stops every parse worker; pending parses fail with `unavailable:worker`. */
  close(): Promise<void>;
}

interface Task {
  id: number;
  options: PrepareOptions;
  resolve: (prepared: PreparedDocument) => void;
  reject: (error: unknown) => void;
  /** Removes the abort listener. */
  release: () => void;
}

interface ParseWorker {
  worker: Worker;
  tasks: Map<number, Task>;
  /** Runs one task (a large file, or one retried alone) and is stopped once it ends. */
  dedicated: boolean;
  /** Whether the worker has loaded and said so: its start-up is not a parse making no progress. */
  ready: boolean;
  /** When the worker last reported anything, or got a task while idle. */
  lastEventAt: number;
  /** Why it was stopped, when the pool or V8 stopped it. */
  stopped: "out_of_memory" | "stalled" | undefined;
}

/**
 * Parses and chunks files in worker threads that load nothing but the parsers: each worker has a heap limit, and
 * one that reports no progress for `stallMs` once it has started is terminated — both safe, since no LanceDB call can be in flight in
 * it. Small files share one worker; a large one (`largeFileBytes`) gets a worker of its own, so it never holds the
 * small ones back. A worker that ran out of memory or stalled with several files cannot say which one was to blame:
 * each is parsed again alone; a file that exhausts a worker alone fails with `too_large:memory` (not retryable),
 * one that stalls alone with `unavailable:worker` (retryable: the job's retry policy decides).
 */
export function createParsePool(options: ParsePoolOptions = {}): ParsePool {
  const heapMb = options.heapMb ?? DEFAULT_PARSE_HEAP_MB;
  const stallMs = options.stallMs ?? DEFAULT_PARSE_STALL_MS;
  const largeFileBytes = options.largeFileBytes ?? DEFAULT_LARGE_FILE_BYTES;
  const workerPath = options.workerPath ?? fileURLToPath(new URL("./parse-worker.js", import.meta.url));
  const workers = new Set<ParseWorker>();
  let shared: ParseWorker | undefined;
  let nextId = 1;
  let closed = false;

  const stallCheck = setInterval(
    () => {
      const now = Date.now();
      for (const entry of workers) {
        if (!entry.ready || entry.tasks.size === 0 || now - entry.lastEventAt < stallMs || entry.stopped)
          continue;
        stop(entry, "stalled");
      }
    },
    Math.max(10, Math.min(5_000, Math.floor(stallMs / 4))),
  );
  stallCheck.unref();

  /** Takes no more tasks and ends; safe, since a parse worker holds no LanceDB call. */
  const stop = (entry: ParseWorker, reason?: ParseWorker["stopped"]) => {
    if (reason) entry.stopped = reason;
    if (shared === entry) shared = undefined;
    void entry.worker.terminate();
  };

  const spawn = (dedicated: boolean): ParseWorker => {
    const entry: ParseWorker = {
      worker: new Worker(workerPath, { resourceLimits: { maxOldGenerationSizeMb: heapMb } }),
      tasks: new Map(),
      dedicated,
      ready: false,
      lastEventAt: Date.now(),
      stopped: undefined,
    };
    workers.add(entry);
    entry.worker.on("message", (event: ParseEvent) => onEvent(entry, event));
    entry.worker.on("error", (error: Error & { code?: string }) => {
      if (error.code === "ERR_WORKER_OUT_OF_MEMORY") entry.stopped = "out_of_memory";
      if (shared === entry) shared = undefined;
    });
    entry.worker.once("exit", (exitCode) => onExit(entry, exitCode));
    return entry;
  };

  const finish = (entry: ParseWorker, task: Task) => {
    entry.tasks.delete(task.id);
    task.release();
    // A dedicated worker has done its one task.
    if (entry.dedicated && entry.tasks.size === 0) stop(entry);
  };

  const onEvent = (entry: ParseWorker, event: ParseEvent) => {
    entry.lastEventAt = Date.now();
    if (event.type === "ready") {
      entry.ready = true;
      return;
    }
    const task = entry.tasks.get(event.id);
    if (!task) return;
    if (event.type === "progress") {
      task.options.onProgress?.(event.progress);
      return;
    }
    finish(entry, task);
    if (event.type === "done") task.resolve(event.prepared);
    else
      task.reject(
        event.error.code
          ? new ZhikuError(event.error.code as ErrorCode, event.error.message, {
              retryable: event.error.retryable,
            })
          : new Error(event.error.message),
      );
  };

  const onExit = (entry: ParseWorker, exitCode: number) => {
    workers.delete(entry);
    if (shared === entry) shared = undefined;
    const tasks = [...entry.tasks.values()];
    entry.tasks.clear();
    for (const task of tasks) {
      task.release();
      const name = task.options.name;
      if (closed) {
        task.reject(new ZhikuError("unavailable:worker", `"${name}": the parse pool was closed`));
      } else if (entry.stopped && tasks.length > 1) {
        // Which of them was to blame cannot be told: each goes again, alone.
        dispatch(task, true);
      } else if (entry.stopped === "out_of_memory") {
        task.reject(
          new ZhikuError(
            "too_large:memory",
            `"${name}": reading the file needed more than ${heapMb} MB of memory, so its worker was stopped (INGEST_WORKER_HEAP_MB)`,
            { file: name },
          ),
        );
      } else if (entry.stopped === "stalled") {
        task.reject(
          new ZhikuError(
            "unavailable:worker",
            `"${name}": reading the file made no progress for ${Math.round(stallMs / 1000)} s, so its worker was stopped (INGEST_STALL_TIMEOUT_S)`,
            { file: name },
          ),
        );
      } else {
        task.reject(
          new ZhikuError(
            "unavailable:worker",
            `"${name}": the parse worker stopped unexpectedly (exit code ${exitCode})`,
            { file: name },
          ),
        );
      }
    }
  };

  const dispatch = (task: Task, alone: boolean) => {
    const { options: input } = task;
    if (input.signal?.aborted) {
      task.reject(input.signal.reason);
      return;
    }
    let entry: ParseWorker;
    if (alone || input.bytes.byteLength >= largeFileBytes) entry = spawn(true);
    else {
      shared ??= spawn(false);
      entry = shared;
    }
    if (entry.tasks.size === 0) entry.lastEventAt = Date.now();
    entry.tasks.set(task.id, task);
    const onAbort = () => {
      if (!entry.tasks.has(task.id)) return;
      finish(entry, task);
      // The parse may still be running, or hung: a worker with nothing else to do goes.
      if (entry.tasks.size === 0) stop(entry);
      task.reject(input.signal?.reason);
    };
    input.signal?.addEventListener("abort", onAbort, { once: true });
    task.release = () => input.signal?.removeEventListener("abort", onAbort);
    const request: ParseRequest = {
      type: "prepare",
      id: task.id,
      name: input.name,
      bytes: input.bytes,
      maxBytes: input.maxBytes ?? DEFAULT_MAX_BYTES,
      ...(input.chunkOptions === undefined ? {} : { chunkOptions: input.chunkOptions }),
      ...(input.ocr === undefined ? {} : { ocr: input.ocr }),
    };
    entry.worker.postMessage(request);
  };

  return {
    prepare(input) {
      if (closed) return Promise.reject(new ZhikuError("unavailable:worker", "The parse pool is closed"));
      return new Promise<PreparedDocument>((resolve, reject) => {
        dispatch({ id: nextId++, options: input, resolve, reject, release: () => {} }, false);
      });
    },
    async close() {
      closed = true;
      clearInterval(stallCheck);
      await Promise.all([...workers].map((entry) => entry.worker.terminate()));
    },
  };
}
