import type { ChunkRecord } from "@zhiku/ingest";
import { chunkDocument, parseDocument } from "@zhiku/ingest";
import { describe, expect, it } from "vitest";
import { assembleDocumentText } from "./document-text.js";

function chunkOf(source: string, options: { index: number; start: number; end: number }): ChunkRecord {
  return {
    chunkId: `c${options.index}`,
    documentId: "d",
    index: options.index,
    text: source.slice(options.start, options.end),
    start: options.start,
    end: options.end,
    headings: [],
    page: null,
    tokens: 1,
  };
}

describe("assembleDocumentText", () => {
  it("writes overlapping text once and turns a gap into a paragraph break", () => {
    const source = "---\ntitle: x\n---\nAlpha beta. Gamma delta.\n\n\n\nEpsilon.";
    const chunks = [
      chunkOf(source, { index: 0, start: 17, end: 28 }), // "Alpha beta."
      chunkOf(source, { index: 1, start: 23, end: 41 }), // "beta. Gamma delta."
      chunkOf(source, { index: 2, start: 45, end: 53 }), // "Epsilon."
    ];
    const assembled = assembleDocumentText(chunks);
    expect(assembled.text).toBe("Alpha beta. Gamma delta.\n\nEpsilon.");
    expect(assembled.chunks.map((chunk) => [chunk.chunkId, chunk.start, chunk.end])).toEqual([
      ["c0", 0, 11],
      ["c1", 6, 24],
      ["c2", 26, 34],
    ]);
  });

  it("returns chunks in document order whatever order they come in", () => {
    const source = "one two";
    const assembled = assembleDocumentText([
      chunkOf(source, { index: 1, start: 4, end: 7 }),
      chunkOf(source, { index: 0, start: 0, end: 3 }),
    ]);
    expect(assembled.text).toBe("one\n\ntwo");
    expect(assembled.chunks.map((chunk) => chunk.index)).toEqual([0, 1]);
  });

  it("is empty for a document without chunks", () => {
    expect(assembleDocumentText([])).toEqual({ text: "", chunks: [] });
  });

  it("places every chunk of a real parsed and chunked Markdown document exactly", async () => {
    const paragraphs = Array.from(
      { length: 40 },
      (_, index) => `第 ${index} 段：知库把文档切成带标题路径的片段，片段之间有重叠。Overlap keeps context.`,
    );
    const markdown = `---\ntitle: 手册\n---\n# 手册\n\n## 第一章\n\n${paragraphs.slice(0, 20).join("\n\n")}\n\n## 第二章\n\n${paragraphs.slice(20).join("\n\n")}\n`;
    const parsed = await parseDocument({ name: "手册.md", bytes: new TextEncoder().encode(markdown) });
    const chunks = chunkDocument(parsed, { chunkSize: 80, chunkOverlap: 20 }).map(
      (chunk): ChunkRecord => ({
        chunkId: `c${chunk.index}`,
        documentId: "d",
        index: chunk.index,
        text: chunk.text,
        start: chunk.start,
        end: chunk.end,
        headings: chunk.headings,
        page: chunk.page ?? null,
        tokens: chunk.tokens,
      }),
    );
    expect(chunks.length).toBeGreaterThan(5);
    expect(chunks.some((chunk, index) => index > 0 && chunk.start < chunks[index - 1]!.end)).toBe(true);
    const assembled = assembleDocumentText(chunks);
    for (const placement of assembled.chunks) {
      expect(assembled.text.slice(placement.start, placement.end)).toBe(chunks[placement.index]!.text);
    }
    // Nothing of the body is lost or doubled: it is the Markdown without its front matter.
    expect(assembled.text).toBe(markdown.slice(markdown.indexOf("# 手册")).trimEnd());
  });
});
