/**
 * The default delay before attempt `attempt + 1` of a job whose attempt `attempt` failed for a reason worth
 * retrying (Ollama down, a crashed worker): 2 s, doubling, at most 60 s.
 */
export function defaultRetryDelay(attempt: number): number {
  return Math.min(60_000, 2_000 * 2 ** Math.max(0, attempt - 1));
}

/** The reason a document shows while its job waits for the next attempt. */
export function retryReason(options: {
  message: string;
  attempt: number;
  maxAttempts: number;
  delayMs: number;
}) {
  return `${options.message} (attempt ${options.attempt} of ${options.maxAttempts}; retrying in ${Math.ceil(options.delayMs / 1000)} s)`;
}
