import type { StoredChunk } from "./chunk-store.js";

/** A chunk of its own document; only text and vector matter to these searches. */
export function chunk(id: string, text: string, vector: number[]): StoredChunk {
  return {
    chunkId: id,
    documentId: `document-${id}`,
    index: 0,
    text,
    indexText: text,
    start: 0,
    end: text.length,
    headings: ["Notes"],
    page: 1,
    tokens: text.split(" ").length,
    vector,
  };
}
