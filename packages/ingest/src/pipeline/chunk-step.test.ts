import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { chunkStep } from "./chunk-step.js";
import { draftOf, parsedText } from "./test-support.js";

describe("chunk step", () => {
  it("splits the parsed text into chunks that point into it", async () => {
    const text = Array.from({ length: 30 }, (_, index) => `第${index}段：用于测试分块的段落内容。`).join(
      "\n\n",
    );
    const draft = await chunkStep.run(
      draftOf("", { parsed: parsedText(text), chunkOptions: { chunkSize: 40, chunkOverlap: 0 } }),
      {},
    );
    expect(draft.chunks.length).toBeGreaterThan(1);
    for (const chunk of draft.chunks) expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });

  it("refuses a document without text, naming the file", () => {
    let caught: unknown;
    try {
      chunkStep.run(draftOf("", { parsed: parsedText("") }), {});
    } catch (error) {
      caught = error;
    }
    expect(isZhikuError(caught, "invalid:empty")).toBe(true);
    expect((caught as Error).message).toBe("note.md: no text found in the file");
  });

  it("starts the chunking stage", () => {
    expect(chunkStep.stage).toBe("chunking");
  });
});
