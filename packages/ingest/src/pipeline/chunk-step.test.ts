import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { chunkParsed } from "./chunk-step.js";
import { parsedText } from "./test-support.js";

describe("chunkParsed", () => {
  it("splits the parsed text into chunks that point into it", () => {
    const text = Array.from({ length: 30 }, (_, index) => `第${index}段：用于测试分块的段落内容。`).join(
      "\n\n",
    );
    const chunks = chunkParsed({
      parsed: parsedText(text),
      name: "note.md",
      chunkOptions: { chunkSize: 40, chunkOverlap: 0 },
    });
    expect(chunks.length).toBeGreaterThan(1);
    for (const chunk of chunks) expect(text.slice(chunk.start, chunk.end)).toBe(chunk.text);
  });

  it("refuses a document without text, naming the file", () => {
    let caught: unknown;
    try {
      chunkParsed({ parsed: parsedText(""), name: "note.md", chunkOptions: undefined });
    } catch (error) {
      caught = error;
    }
    expect(isZhikuError(caught, "invalid:empty")).toBe(true);
    expect((caught as Error).message).toBe("note.md: no text found in the file");
  });
});
