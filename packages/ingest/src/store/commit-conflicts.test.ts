import { describe, expect, it } from "vitest";
import { retryCommitConflicts } from "./commit-conflicts.js";

const conflict = () =>
  new Error(
    "lance error: Retryable commit conflict for version 2: preempted by concurrent transaction. Please retry.",
  );

describe("retryCommitConflicts", () => {
  it("does the work again after a commit conflict and returns what the retry returned", async () => {
    let calls = 0;
    const result = await retryCommitConflicts(
      async () => {
        calls += 1;
        if (calls < 3) throw conflict();
        return "committed";
      },
      { initialDelayMs: 1 },
    );
    expect({ result, calls }).toEqual({ result: "committed", calls: 3 });
  });

  it("throws any other error at once", async () => {
    let calls = 0;
    const failing = retryCommitConflicts(async () => {
      calls += 1;
      throw new Error("No space left on device (os error 28)");
    });
    await expect(failing).rejects.toThrow("os error 28");
    expect(calls).toBe(1);
  });

  it("gives up after the attempts allowed, with the last conflict", async () => {
    let calls = 0;
    const failing = retryCommitConflicts(
      async () => {
        calls += 1;
        throw conflict();
      },
      { attempts: 3, initialDelayMs: 1 },
    );
    await expect(failing).rejects.toThrow(/Retryable commit conflict/);
    expect(calls).toBe(3);
  });
});
