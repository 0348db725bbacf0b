import type { IngestOutcome, IngestProgress, IngestWorkerTask } from "@zhiku/ingest";

/** One ingestion handed to a runner: the uploaded original of a queued document (the worker protocol's task). */
export type IngestTask = IngestWorkerTask;

/** A failure reported by a runner. */
export interface IngestFailure {
  /** Error code such as `unavailable:ollama` or `invalid:encrypted`. */
  code: string;
  message: string;
  /** True when trying again later may succeed (Ollama unreachable or answering 5xx, a crashed worker). */
  retryable: boolean;
}

/** What a runner reports back about its tasks. */
export interface IngestRunnerHandlers {
  /** A stage of the pipeline started or advanced. */
  onProgress(jobId: string, progress: IngestProgress): void;
  /** The document was ingested (or skipped as unchanged). */
  onDone(jobId: string, outcome: IngestOutcome): void;
  /** The ingestion failed or was cancelled. */
  onFailed(jobId: string, failure: IngestFailure): void;
}

/** Runs ingestion tasks, up to `capacity` at once. The job queue decides what runs when. */
export interface IngestRunner {
  /** How many tasks can run at once. */
  readonly capacity: number;
  /** Starts a task; the queue only calls it while fewer than `capacity` tasks run. */
  run(task: IngestTask): void;
  /** True while the runner holds the task (a watchdog re-queues a running job its runner no longer holds). */
  holds(jobId: string): boolean;
  /** Asks a running task to stop; it then ends with `onFailed` (or `onDone` if it had finished). */
  cancel(jobId: string): void;
  /** Stops every task without reporting them and releases the runner's resources. */
  close(): Promise<void>;
}

/** Builds a runner that reports to the given handlers. */
export type IngestRunnerFactory = (handlers: IngestRunnerHandlers) => IngestRunner;
