import { describe, expect, it } from "vitest";
import { errorKind, isRetryable, isZhikuError, ZhikuError } from "./errors.js";

describe("ZhikuError", () => {
  it("derives retryable from the kind unless told", () => {
    expect(new ZhikuError("unavailable:ollama", "down").retryable).toBe(true);
    expect(new ZhikuError("too_many:requests", "slow down").retryable).toBe(true);
    expect(new ZhikuError("invalid:corrupt", "bad").retryable).toBe(false);
    expect(new ZhikuError("invalid:corrupt", "bad", { retryable: true }).retryable).toBe(true);
    expect(new ZhikuError("unavailable:disk", "full", { retryable: false }).retryable).toBe(false);
  });

  it("keeps cause, file and retry-after", () => {
    const cause = new Error("low level");
    const error = new ZhikuError("too_large:file", "a.pdf: too big", {
      cause,
      file: "a.pdf",
      retryAfterSeconds: 3,
    });
    expect(error.cause).toBe(cause);
    expect(error.file).toBe("a.pdf");
    expect(error.retryAfterSeconds).toBe(3);
    expect(errorKind(error.code)).toBe("too_large");
  });

  it("is recognised by isZhikuError and isRetryable, plain errors are not", () => {
    const error = new ZhikuError("unavailable:ollama", "down");
    expect(isZhikuError(error)).toBe(true);
    expect(isZhikuError(error, "unavailable:ollama")).toBe(true);
    expect(isZhikuError(error, "not_found:model")).toBe(false);
    expect(isRetryable(error)).toBe(true);
    expect(isRetryable(new Error("down"))).toBe(false);
  });
});
