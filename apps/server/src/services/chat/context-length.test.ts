import { describe, expect, it } from "vitest";
import { contextLengthFromModelInfo, fallbackContextLength } from "./context-length.js";

describe("contextLengthFromModelInfo", () => {
  it("reads <architecture>.context_length from a plain object or a Map", () => {
    expect(
      contextLengthFromModelInfo({ "general.architecture": "qwen2", "qwen2.context_length": 32768 }),
    ).toBe(32768);
    expect(contextLengthFromModelInfo(new Map([["llama.context_length", 131072]]))).toBe(131072);
  });

  it("falls back when the model reports none", () => {
    expect(contextLengthFromModelInfo({ "general.architecture": "x" })).toBe(fallbackContextLength);
    expect(contextLengthFromModelInfo(undefined)).toBe(fallbackContextLength);
  });
});
