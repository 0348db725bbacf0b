import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { type ChunkStore, openChunkStore } from "../store/chunk-store.js";
import { chunk } from "../store/test-support.js";
import { type ChunkSearchSetup, createChunkSearch } from "./chunk-search.js";

// Full text for "alpha" ranks c1 (three times) before c2 (once, in a longer chunk) and finds nothing else.
// Vectors against [1, 0, 0] rank c2, c3, c1, c4.
const CHUNKS = [
  chunk("c1", "alpha alpha alpha", [0.1, 1, 0]),
  chunk("c2", "alpha beta gamma delta", [0.9, 0.1, 0]),
  chunk("c3", "gamma", [0.8, 0.6, 0]),
  chunk("c4", "delta", [0, 0, 1]),
];
const QUERY = { query: "alpha", vector: [1, 0, 0], limit: 4 };

function cosine(a: number[], b: number[]): number {
  const dot = a.reduce((sum, value, index) => sum + value * b[index]!, 0);
  const norm = (values: number[]) => Math.sqrt(values.reduce((sum, value) => sum + value * value, 0));
  return dot / (norm(a) * norm(b));
}

describe("chunk search", () => {
  let directory: string;
  let store: ChunkStore | undefined;

  const open = async (options: ChunkSearchSetup["fusion"] = undefined) => {
    store = await openChunkStore({ directory });
    await store.ensureTable("chunks", 3);
    for (const stored of CHUNKS) await store.replaceDocument("chunks", stored.documentId, [stored]);
    // Rows not yet folded into the full-text index rank badly (see ChunkStoreOptions.optimizeAfterRows).
    await store.maintain("chunks", { force: true });
    return createChunkSearch({ store, fusion: options });
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-chunk-store-"));
  });

  afterEach(async () => {
    store?.close();
    store = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  it("ranks each side on its own in fulltext and vector mode", async () => {
    const chunks = await open();
    const text = await chunks.search("chunks", { ...QUERY, mode: "fulltext" });
    expect(text.map((hit) => hit.chunkId)).toEqual(["c1", "c2"]);
    expect(text.every((hit) => hit.relevance !== null && hit.score > 0)).toBe(true);
    const vector = await chunks.search("chunks", { ...QUERY, mode: "vector" });
    expect(vector.map((hit) => hit.chunkId)).toEqual(["c2", "c3", "c1", "c4"]);
    expect(vector[0]!.score).toBeCloseTo(cosine([1, 0, 0], [0.9, 0.1, 0]), 5);
  });

  it("fuses hybrid results by reciprocal rank with k 60 and equal weights by default", async () => {
    const hits = await (await open()).search("chunks", { ...QUERY, mode: "hybrid" });
    // c2: 1/61 (text) + 1/60 (vector); c1: 1/60 + 1/62; c3: 1/61; c4: 1/63.
    expect(hits.map((hit) => hit.chunkId)).toEqual(["c2", "c1", "c3", "c4"]);
    expect(hits.map((hit) => hit.score)).toEqual([
      expect.closeTo(1 / 61 + 1 / 60, 10),
      expect.closeTo(1 / 60 + 1 / 62, 10),
      expect.closeTo(1 / 61, 10),
      expect.closeTo(1 / 63, 10),
    ]);
    // Relevance stays the cosine similarity to the query, whatever the fused score.
    for (const hit of hits) {
      const stored = CHUNKS.find((candidate) => candidate.chunkId === hit.chunkId)!;
      expect(hit.relevance).toBeCloseTo(cosine([1, 0, 0], stored.vector as number[]), 5);
      expect(hit).toMatchObject({
        documentId: stored.documentId,
        text: stored.text,
        index: 0,
        page: 1,
        headings: ["Notes"],
      });
    }
  });

  it("weights one side over the other, from the store's options or the search's", async () => {
    const chunks = await open({ k: 1, fullTextWeight: 3, vectorWeight: 1 });
    // c1: 3/1 + 1/3; c2: 3/2 + 1/1; c3: 1/2; c4: 1/4.
    const textHeavy = await chunks.search("chunks", { ...QUERY, mode: "hybrid" });
    expect(textHeavy.map((hit) => hit.chunkId)).toEqual(["c1", "c2", "c3", "c4"]);
    expect(textHeavy[0]!.score).toBeCloseTo(3 + 1 / 3, 10);
    // c1: 0.1/1 + 1/3; c2: 0.1/2 + 1/1; c3: 1/2; c4: 1/4: the vector side's order.
    const vectorHeavy = await chunks.search("chunks", {
      ...QUERY,
      mode: "hybrid",
      fusion: { fullTextWeight: 0.1 },
    });
    expect(vectorHeavy.map((hit) => hit.chunkId)).toEqual(["c2", "c3", "c1", "c4"]);
  });

  it("keeps the document filter and the limit on both sides of a hybrid search", async () => {
    const chunks = await open();
    const hits = await chunks.search("chunks", {
      ...QUERY,
      mode: "hybrid",
      documentIds: ["document-c1", "document-c3"],
    });
    // Text finds c1 alone, vectors c3 then c1: c1 1/60 + 1/61, c3 1/60.
    expect(hits.map((hit) => hit.chunkId)).toEqual(["c1", "c3"]);
    const top = await chunks.search("chunks", { ...QUERY, mode: "hybrid", limit: 1 });
    // Each side fetches one hit: c1 (text) and c2 (vector) tie at 1/60; full text goes first.
    expect(top.map((hit) => hit.chunkId)).toEqual(["c1"]);
  });

  it("searches by vector alone when a hybrid query has no words", async () => {
    const hits = await (await open()).search("chunks", { ...QUERY, query: "?!", mode: "hybrid" });
    expect(hits.map((hit) => hit.chunkId)).toEqual(["c2", "c3", "c1", "c4"]);
    expect(hits[0]!.score).toBeCloseTo(cosine([1, 0, 0], [0.9, 0.1, 0]), 5);
  });

  it("refuses fusion options out of range when opened and when searching", async () => {
    let caught: unknown;
    const unused = await openChunkStore({ directory });
    try {
      createChunkSearch({ store: unused, fusion: { k: 0 } });
    } catch (error) {
      caught = error;
    } finally {
      unused.close();
    }
    expect(isZhikuError(caught, "invalid:input")).toBe(true);
    expect((caught as Error).message).toContain("fusion.k");
    const chunks = await open();
    await expect(
      chunks.search("chunks", { ...QUERY, mode: "hybrid", fusion: { vectorWeight: -1 } }),
    ).rejects.toThrow(/fusion\.vectorWeight/);
  });
});
