import { describe, expect, test } from "vitest";
import { estimateTokens } from "./token-estimate.js";

describe("estimateTokens", () => {
  test("counts nothing for blank text", () => {
    expect(estimateTokens("")).toBe(0);
    expect(estimateTokens("  \n\t")).toBe(0);
  });

  test("counts one token per CJK character and per symbol", () => {
    expect(estimateTokens("垃圾收集器")).toBe(5);
    expect(estimateTokens("堆，栈。")).toBe(4);
  });

  test("counts a word by its length, at least one", () => {
    expect(estimateTokens("a gc")).toBe(2);
    expect(estimateTokens("garbage")).toBe(2);
    expect(estimateTokens("x".repeat(40))).toBe(10);
  });
});
