import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ThrottledEdits } from "./throttled-edits.js";

/** An edit the test resolves by hand, to hold one in flight. */
function manualEdits() {
  const sent: string[] = [];
  const pending: Array<() => void> = [];
  return {
    sent,
    release: () => pending.shift()?.(),
    edit: (text: string) =>
      new Promise<void>((resolve) => {
        sent.push(text);
        pending.push(resolve);
      }),
  };
}

describe("ThrottledEdits", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("edits at most once per interval, counted from the first message, sending only the newest text", async () => {
    const edits = manualEdits();
    const throttled = new ThrottledEdits({ edit: edits.edit, intervalMs: 1000, onError: () => {} });
    throttled.push("A");
    throttled.push("A b");
    expect(edits.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(999);
    expect(edits.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(edits.sent).toEqual(["A b"]);
    edits.release();
    throttled.push("A b c");
    throttled.push("A b c d");
    await vi.advanceTimersByTimeAsync(500);
    expect(edits.sent).toEqual(["A b"]);
    await vi.advanceTimersByTimeAsync(500);
    expect(edits.sent).toEqual(["A b", "A b c d"]);
    edits.release();
    await throttled.finish();
    expect(edits.sent).toEqual(["A b", "A b c d"]);
  });

  it("never has two edits in flight: text pushed meanwhile waits for the one in flight", async () => {
    const edits = manualEdits();
    const throttled = new ThrottledEdits({ edit: edits.edit, intervalMs: 0, onError: () => {} });
    throttled.push("one");
    expect(edits.sent).toEqual(["one"]);
    throttled.push("one two");
    throttled.push("one two three");
    await vi.advanceTimersByTimeAsync(5_000);
    expect(edits.sent).toEqual(["one"]);
    edits.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(edits.sent).toEqual(["one", "one two three"]);
    // The same text again is no edit.
    edits.release();
    await vi.advanceTimersByTimeAsync(0);
    throttled.push("one two three");
    expect(edits.sent).toHaveLength(2);
    await throttled.finish();
  });

  it("stops at maxEdits, and after finish sends nothing that was waiting", async () => {
    const sent: string[] = [];
    const throttled = new ThrottledEdits({
      edit: async (text) => {
        sent.push(text);
      },
      intervalMs: 100,
      maxEdits: 2,
      onError: () => {},
    });
    for (let step = 1; step <= 5; step++) {
      throttled.push(`step ${step}`);
      await vi.advanceTimersByTimeAsync(100);
    }
    expect(sent).toEqual(["step 1", "step 2"]);

    const later: string[] = [];
    const stopped = new ThrottledEdits({
      edit: async (text) => {
        later.push(text);
      },
      intervalMs: 100,
      onError: () => {},
    });
    stopped.push("waiting");
    await stopped.finish();
    await vi.advanceTimersByTimeAsync(1_000);
    expect(later).toEqual([]);
  });

  it("reports a failed edit and keeps editing", async () => {
    const errors: unknown[] = [];
    const sent: string[] = [];
    const throttled = new ThrottledEdits({
      edit: async (text) => {
        sent.push(text);
        if (text === "first") throw new Error("ratelimited");
      },
      intervalMs: 0,
      onError: (error) => errors.push(error),
    });
    throttled.push("first");
    await vi.advanceTimersByTimeAsync(0);
    throttled.push("second");
    await throttled.finish();
    expect(sent).toEqual(["first", "second"]);
    expect(errors).toEqual([new Error("ratelimited")]);
  });
});
