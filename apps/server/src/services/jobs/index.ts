export { type DocumentEvent, DocumentEventBus, type DocumentEventListener } from "./document-events.js";
export {
  createInProcessRunner,
  type InProcessRunnerOptions,
  isRetryableCode,
} from "./in-process-runner.js";
export type {
  IngestFailure,
  IngestRunner,
  IngestRunnerFactory,
  IngestRunnerHandlers,
  IngestTask,
} from "./ingest-runner.js";
export {
  type EnqueueUploadInput,
  type JobFinishedOutcome,
  JobQueue,
  type JobQueueOptions,
  toEvent,
} from "./job-queue.js";
export { type JobPatch, type JobRecord, type JobStatus, JobStore } from "./job-store.js";
export {
  createWorkerPoolRunner,
  type IngestWorkerData,
  resolveIngestWorkerPath,
  type WorkerPoolOptions,
} from "./worker-pool.js";
