import { describe, expect, it } from "vitest";
import { rowFromEvent } from "./documents-page";

describe("rowFromEvent", () => {
  it("clears an earlier attempt's error when the retry's events carry none", () => {
    const retrying = rowFromEvent({
      id: "d1",
      name: "harbour.md",
      status: "queued",
      error: "Cannot reach Ollama (attempt 1 of 4; retrying in 2 s)",
      errorCode: "unavailable:ollama",
    });
    const processing = {
      ...retrying,
      ...rowFromEvent({ id: "d1", name: "harbour.md", status: "processing" }),
    };
    expect(processing).toMatchObject({ status: "processing", error: null, errorCode: null });
  });
});
