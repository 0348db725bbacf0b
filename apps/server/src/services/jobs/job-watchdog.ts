/** Options for {@link startJobWatchdog}. */
export interface JobWatchdogOptions {
  /** How often to check, in ms. */
  intervalMs: number;
  /** The check: re-queues jobs whose worker vanished and starts jobs whose backoff has passed. */
  check: () => void;
}

/**
 * Runs the job queue's consistency check every `intervalMs` until the returned function is called. A safety
 * net under the event-driven path: a worker that vanished without a word, or a wake-up that never came, costs at
 * most one interval instead of leaving a job stuck until some unrelated upload stirs the queue.
 */
export function startJobWatchdog(options: JobWatchdogOptions): () => void {
  const timer = setInterval(options.check, options.intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
