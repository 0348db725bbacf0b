/** Options for {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /**
   * Failures for one account from one client address within the window before that address's logins to it are
   * refused. Default 5. Counted per pair, so someone else's guesses never lock the owner out from their own address.
   */
  maxPerAccount?: number;
  /** Failures from one client address, for any accounts, within the window before its logins are refused. Default 20. */
  maxPerAddress?: number;
  /** The window, in ms. Default 15 minutes. */
  windowMs?: number;
  /** Clock, for tests. */
  now?: () => number;
}

/** Most keys remembered; beyond it the oldest are dropped, so a flood of addresses cannot grow memory without end. */
const maxTrackedKeys = 100_000;

/** The key of one account tried from one address. */
function accountKey(input: { email: string; address: string }): string {
  return `account:${input.email.trim().toLowerCase()}|${input.address}`;
}

/**
 * Counts failed logins per account and client address together, and per client address (against password spraying),
 * in a sliding window, and says when to refuse.
 *
 * Kept in memory, not SQLite: the server is one process, a check must not cost a database write on the hot path of an
 * attack, and losing the counts on restart only gives an attacker one more window after an operator restarts.
 */
export class LoginThrottle {
  readonly #failures = new Map<string, number[]>();
  readonly #maxPerAccount: number;
  readonly #maxPerAddress: number;
  readonly #windowMs: number;
  readonly #now: () => number;

  /** @param options Limits and window; defaults 5 per account and address, 20 per address, 15 minutes. */
  constructor(options: LoginThrottleOptions = {}) {
    this.#maxPerAccount = options.maxPerAccount ?? 5;
    this.#maxPerAddress = options.maxPerAddress ?? 20;
    this.#windowMs = options.windowMs ?? 15 * 60 * 1000;
    this.#now = options.now ?? Date.now;
  }

  /** Seconds until a login for this account from this address may be tried again, or 0 when it may now. */
  retryAfterSeconds(input: { email: string; address: string }): number {
    const wait = Math.max(
      this.#wait(accountKey(input), this.#maxPerAccount),
      this.#wait(`address:${input.address}`, this.#maxPerAddress),
    );
    return Math.ceil(wait / 1000);
  }

  /** Records a failed login. */
  recordFailure(input: { email: string; address: string }): void {
    this.#add(accountKey(input));
    this.#add(`address:${input.address}`);
  }

  /** Forgets the failures for an account from this address after a successful login (the address's stay counted). */
  recordSuccess(input: { email: string; address: string }): void {
    this.#failures.delete(accountKey(input));
  }

  #recent(key: string): number[] {
    const cutoff = this.#now() - this.#windowMs;
    const times = (this.#failures.get(key) ?? []).filter((time) => time > cutoff);
    if (times.length === 0) this.#failures.delete(key);
    else this.#failures.set(key, times);
    return times;
  }

  #wait(key: string, limit: number): number {
    const times = this.#recent(key);
    if (times.length < limit) return 0;
    // Refused until enough of the failures have left the window to be under the limit again.
    const oldestCounted = times[times.length - limit]!;
    return Math.max(1, oldestCounted + this.#windowMs - this.#now());
  }

  #add(key: string): void {
    const times = this.#recent(key);
    times.push(this.#now());
    this.#failures.delete(key);
    this.#failures.set(key, times);
    if (this.#failures.size > maxTrackedKeys) {
      const oldest = this.#failures.keys().next().value;
      if (oldest !== undefined) this.#failures.delete(oldest);
    }
  }
}
