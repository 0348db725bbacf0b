/** Options for {@link ThrottledEdits}. */
export interface ThrottledEditsOptions {
  /** Edits the sent message to the text given. */
  edit: (text: string) => Promise<void>;
  /**
   * Least time between two edits, in ms, counted from when the previous one (or the first message) was sent. 0
   * edits as soon as the previous edit is done.
   */
  intervalMs: number;
  /** Most edits this may make; absent, no limit. The final edit the caller makes afterwards is not counted. */
  maxEdits?: number | undefined;
  /** Told about an edit that failed; the next one is still tried (the final text matters, not each step). */
  onError: (error: unknown) => void;
  /** The clock (ms); `Date.now` when absent. */
  now?: (() => number) | undefined;
}

/**
 * Edits a sent message as the text it shows grows (a streamed answer), at most once per interval and never two
 * edits at a time: a text pushed while an edit is in flight or too soon after one waits, and only the newest waiting
 * text is sent. {@link finish} stops it and waits for the edit in flight, so the caller's final edit lands last.
 */
export class ThrottledEdits {
  readonly #options: ThrottledEditsOptions;
  readonly #now: () => number;
  #lastEditAt: number;
  #edits = 0;
  #latest: string | undefined;
  #sent: string | undefined;
  #inFlight: Promise<void> | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #finished = false;

  /** Starts the clock: the first edit comes no sooner than `intervalMs` from now (the first message was just sent). */
  constructor(options: ThrottledEditsOptions) {
    this.#options = options;
    this.#now = options.now ?? (() => Date.now());
    this.#lastEditAt = this.#now();
  }

  /** The text the message should show now; sent when the interval allows. */
  push(text: string): void {
    if (this.#finished) return;
    this.#latest = text;
    this.#schedule();
  }

  /** Stops editing: nothing waiting is sent, and the edit in flight (if any) is awaited. */
  async finish(): Promise<void> {
    this.#finished = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#inFlight;
  }

  #schedule(): void {
    if (this.#finished || this.#inFlight || this.#timer !== undefined) return;
    if (this.#latest === undefined || this.#latest === this.#sent) return;
    const { maxEdits, intervalMs } = this.#options;
    if (maxEdits !== undefined && this.#edits >= maxEdits) return;
    const wait = this.#lastEditAt + intervalMs - this.#now();
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#schedule();
      }, wait);
      return;
    }
    this.#send(this.#latest);
  }

  #send(text: string): void {
    this.#edits += 1;
    this.#sent = text;
    this.#lastEditAt = this.#now();
    this.#inFlight = this.#options
      .edit(text)
      .catch((error: unknown) => this.#options.onError(error))
      .finally(() => {
        this.#inFlight = undefined;
        // The interval runs from when the edit was sent, so a slow platform is not edited back to back.
        this.#schedule();
      });
  }
}
