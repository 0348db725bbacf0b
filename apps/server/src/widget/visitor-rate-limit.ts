/** Whether a visitor may send one more request now, and when to try again if not. */
export type RateDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

/**
 * Requests per visitor per key in a sliding minute, in memory (a restart forgets them, which only ever lets a
 * visitor in sooner). At most `maxVisitors` are tracked; the oldest is forgotten first.
 */
export class VisitorRateLimit {
  readonly #windowMs: number;
  readonly #maxVisitors: number;
  readonly #now: () => number;
  readonly #hits = new Map<string, number[]>();

  constructor(options: { windowMs?: number; maxVisitors?: number; now?: () => number } = {}) {
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxVisitors = options.maxVisitors ?? 50_000;
    this.#now = options.now ?? Date.now;
  }

  /** Counts a request of `visitor` against `limit` a window; refused requests are not counted. */
  take(visitor: string, limit: number): RateDecision {
    const now = this.#now();
    const recent = (this.#hits.get(visitor) ?? []).filter((at) => now - at < this.#windowMs);
    if (recent.length >= limit) {
      const oldest = recent[0] ?? now;
      this.#hits.set(visitor, recent);
      return {
        allowed: false,
        retryAfterSeconds: Math.max(1, Math.ceil((oldest + this.#windowMs - now) / 1000)),
      };
    }
    recent.push(now);
    this.#hits.delete(visitor);
    this.#hits.set(visitor, recent);
    if (this.#hits.size > this.#maxVisitors) {
      const first = this.#hits.keys().next().value;
      if (first !== undefined) this.#hits.delete(first);
    }
    return { allowed: true };
  }
}
