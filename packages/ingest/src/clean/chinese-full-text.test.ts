import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createChunkSearch } from "../search/chunk-search.js";
import { type ChunkStore, openChunkStore, type StoredChunk } from "../store/chunk-store.js";

/** One chunk a document; full-text search is all these tests look at, so the vectors are all the same. */
function chunk(id: string, text: string): StoredChunk {
  return {
    chunkId: id,
    documentId: `document-${id}`,
    index: 0,
    text,
    indexText: text,
    start: 0,
    end: text.length,
    headings: [],
    page: null,
    tokens: text.length,
    vector: [1, 0],
  };
}

/**
 * Chinese full text through the chunk store, as search runs it: the store cuts what it indexes and what it is asked
 * with the same way. The texts are the kind that broke it: a Traditional passage cut by a Simplified dictionary, and
 * a name no dictionary knows.
 */
describe("Chinese full-text search", () => {
  let directory: string;
  let store: ChunkStore | undefined;

  let tables = 0;

  /** The texts in a table of their own, folded into the full-text index; the texts of the hits, best first. */
  const search = async (texts: string[], query: string) => {
    store ??= await openChunkStore({ directory });
    const table = `chunks_${tables++}`;
    await store.ensureTable(table, 2);
    for (const [position, text] of texts.entries()) {
      const stored = chunk(`c${position}`, text);
      await store.replaceDocument(table, stored.documentId, [stored]);
    }
    await store.maintain(table, { force: true });
    const hits = await createChunkSearch({ store }).search(table, { mode: "fulltext", query, limit: 5 });
    return hits.map((hit) => hit.text);
  };

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-chinese-full-text-"));
  });

  afterEach(async () => {
    store?.close();
    store = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  const hertzsprungRussell =
    "描繪眾多恆星的溫度相對於亮度的圖，即赫羅圖，可以讓我們測量一顆恆星的年齡和演化的狀態。";
  const distractors = ["恆星的生命是由氣態星雲重力坍縮開始的。", "網球是一項體育運動，常見的有單打和雙打。"];

  it("finds a Traditional term inside a longer run that jieba cuts differently (即赫羅圖)", async () => {
    const found = await search([...distractors, hertzsprungRussell], "赫羅圖");
    expect(found[0]).toBe(hertzsprungRussell);
  });

  it("finds Traditional text with a Simplified query, and Simplified text with a Traditional one", async () => {
    expect((await search([...distractors, hertzsprungRussell], "赫罗图是什么"))[0]).toBe(hertzsprungRussell);
    const simplified = "描绘众多恒星的温度相对于亮度的图，即赫罗图。";
    expect((await search(["网球是一项体育运动。", simplified], "赫羅圖是什麼"))[0]).toBe(simplified);
  });

  it("finds a name jieba does not know, though it glues to the next character in the query (尚恩有什么爱好)", async () => {
    const shawn = "尚恩喜欢打篮球，周末常去公园跑步。";
    const found = await search(["玛丽喜欢游泳，每天早上都去游泳池。", shawn], "尚恩有什么爱好");
    expect(found[0]).toBe(shawn);
  });

  it("still ranks a whole-word match above texts that share only characters with the query", async () => {
    // 索引 as a word in one text; the other holds 索 and 引 apart (and the pair 索引 nowhere).
    const word = "倒排索引把每个词映射到包含它的文档。";
    const scattered = "他索性引用了别人的话，文档里到处都是。";
    const found = await search([scattered, word], "倒排索引");
    expect(found[0]).toBe(word);
  });
});
