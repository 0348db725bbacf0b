/**
 * LanceDB refuses a commit that lost a race with another writer of the same table (another process on the same
 * data directory, such as `zhiku ingest` beside the server, or another connection) with "Retryable commit conflict
 * … Please retry". The losing transaction changed nothing, so doing the same work again on the table's newest
 * version is safe.
 */
const retryableConflict = /retryable commit conflict/i;

/** True when LanceDB says a commit lost a race and may be tried again. */
export function isRetryableCommitConflict(error: unknown): boolean {
  return error instanceof Error && retryableConflict.test(error.message);
}

/** How often, and how long apart, a conflicting commit is tried again. */
export interface ConflictRetryOptions {
  /** Attempts in all, the first included. Default 6. */
  attempts?: number;
  /** Wait before the second attempt, doubled for each next one, with jitter. Default 50 ms. */
  initialDelayMs?: number;
}

/**
 * Runs `work`, and again while it fails with a retryable commit conflict (up to `attempts`), waiting a little
 * longer each time so two writers stop colliding. `work` must read what it needs afresh on each call (for example
 * whether an index exists), since the writer that won may have done part of it. Any other error, or the last
 * conflict, is thrown as it is.
 */
export async function retryCommitConflicts<T>(
  work: () => Promise<T>,
  options: ConflictRetryOptions = {},
): Promise<T> {
  const attempts = options.attempts ?? 6;
  let delayMs = options.initialDelayMs ?? 50;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (error) {
      if (attempt >= attempts || !isRetryableCommitConflict(error)) throw error;
      await new Promise((resolve) => setTimeout(resolve, delayMs * (0.5 + Math.random())));
      delayMs *= 2;
    }
  }
}
