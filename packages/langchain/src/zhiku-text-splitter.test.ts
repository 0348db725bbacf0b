import { describe, expect, it } from "vitest";
import { ZhikuTextSplitter } from "./zhiku-text-splitter.js";

const chinese = Array.from(
  { length: 12 },
  (_, index) =>
    `第${index + 1}段：复制算法把内存分成大小相等的两块，每次只使用其中一块。当这一块用完了，就把存活的对象复制到另一块上。`,
).join("\n\n");

describe("ZhikuTextSplitter", () => {
  it("splits Chinese at sentence ends within the token budget, each chunk a slice of the input", async () => {
    const splitter = new ZhikuTextSplitter({ chunkSize: 60, chunkOverlap: 0 });
    const [document] = [{ text: chinese, metadata: { source: "gc.md" } }];
    const documents = await splitter.createDocuments([document.text], [document.metadata]);
    expect(documents.length).toBeGreaterThan(3);
    for (const [index, split] of documents.entries()) {
      const { start, end, chunkIndex, tokens, source } = split.metadata as Record<string, number | string>;
      expect(split.pageContent).toBe(chinese.slice(start as number, end as number));
      expect(chunkIndex).toBe(index);
      expect(source).toBe("gc.md");
      expect(tokens).toBeLessThanOrEqual(60);
      expect(split.pageContent).toMatch(/[。]$/);
    }
    expect(documents[0]?.metadata.loc).toEqual({ lines: { from: 1, to: expect.any(Number) } });
  });

  it("repeats the overlap and keeps splitText, splitDocuments and createDocuments in agreement", async () => {
    const splitter = new ZhikuTextSplitter({ chunkSize: 60, chunkOverlap: 20 });
    const texts = await splitter.splitText(chinese);
    const documents = await splitter.splitDocuments([{ pageContent: chinese, metadata: { id: 7 } }]);
    expect(documents.map((document) => document.pageContent)).toEqual(texts);
    expect(documents.every((document) => document.metadata.id === 7)).toBe(true);
    const [first, second] = documents;
    expect((second?.metadata.start as number) < (first?.metadata.end as number)).toBe(true);
  });

  it("returns nothing for blank text and refuses an overlap as large as the chunk", async () => {
    expect(await new ZhikuTextSplitter().splitText("  \n ")).toEqual([]);
    expect(() => new ZhikuTextSplitter({ chunkSize: 50, chunkOverlap: 50 })).toThrow();
  });
});
