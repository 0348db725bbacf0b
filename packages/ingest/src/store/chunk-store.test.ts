import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fullTextClauses } from "../clean/full-text-query.js";
import { createChunkSearch } from "../search/chunk-search.js";
import { type ChunkStore, FULL_TEXT_COLUMN, openChunkStore, type StoredChunk } from "./chunk-store.js";
import { chunk } from "./test-support.js";

describe("chunk store vector index", () => {
  let directory: string;
  let store: ChunkStore | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-chunk-store-index-"));
  });

  afterEach(async () => {
    store?.close();
    store = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  /** Rows with seeded pseudo-random 32-dimension vectors; row `i`'s text names it. */
  const rows = (from: number, to: number): StoredChunk[] => {
    let seed = 7;
    const random = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32 - 0.5;
    };
    const all = Array.from({ length: to }, (_, index) =>
      chunk(`r${index}`, `row ${index}`, Array.from({ length: 32 }, random)),
    );
    return all.slice(from);
  };

  const vectorIndexes = async () => {
    const lancedb = await import("@lancedb/lancedb");
    const connection = await lancedb.connect(directory);
    const table = await connection.openTable("chunks");
    const indexes = (await table.listIndices()).filter((index) => index.columns.includes("vector"));
    connection.close();
    return indexes.map((index) => `${index.name} ${index.indexType}`);
  };

  it("builds the index at the threshold and trains it again as the table grows", async () => {
    store = await openChunkStore({ directory, vectorIndex: { threshold: 300, retrainGrowth: 2 } });
    await store.ensureTable("chunks", 32);
    const grow = async (from: number, to: number) => {
      await store!.appendChunks("chunks", rows(from, to));
      return store!.maintain("chunks", { force: true });
    };
    expect((await grow(0, 200)).vectorIndexCreated).toBe(false);
    expect(await vectorIndexes()).toEqual([]);
    expect((await grow(200, 400)).vectorIndexCreated).toBe(true);
    expect(await vectorIndexes()).toEqual(["vector_idx_trained_400 IvfRq"]);
    // Under twice the trained rows: the index takes the new rows without training again.
    expect((await grow(400, 700)).vectorIndexCreated).toBe(false);
    expect((await grow(700, 1_100)).vectorIndexCreated).toBe(true);
    expect(await vectorIndexes()).toEqual(["vector_idx_trained_1100 IvfRq"]);

    const target = rows(0, 1_100)[1_042]!;
    const [best] = await createChunkSearch({ store }).search("chunks", {
      mode: "vector",
      query: "",
      vector: [...target.vector],
      limit: 3,
    });
    expect(best?.chunkId).toBe("r1042");
    expect(best?.relevance).toBeCloseTo(1, 5);
  });

  it("replaces an index of another type built by an earlier version", async () => {
    store = await openChunkStore({ directory, vectorIndex: { threshold: 300 } });
    await store.ensureTable("chunks", 32);
    await store.appendChunks("chunks", rows(0, 400));
    const lancedb = await import("@lancedb/lancedb");
    const connection = await lancedb.connect(directory);
    const table = await connection.openTable("chunks");
    await table.createIndex("vector", {
      config: lancedb.Index.hnswSq({ distanceType: "cosine", numPartitions: 1 }),
    });
    connection.close();
    expect(await vectorIndexes()).toEqual(["vector_idx IvfHnswSq"]);
    expect((await store.maintain("chunks", { force: true })).vectorIndexCreated).toBe(true);
    expect(await vectorIndexes()).toEqual(["vector_idx_trained_400 IvfRq"]);
  });
});

describe("chunk store written from two connections at once (the server and `zhiku ingest` on one DATA_DIR)", () => {
  let directory: string;
  const stores: ChunkStore[] = [];

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-chunk-store-race-"));
  });

  afterEach(async () => {
    for (const store of stores.splice(0)) store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("both create the workspace's table and its full-text index without a commit conflict reaching either", async () => {
    const [server, cli] = await Promise.all([openChunkStore({ directory }), openChunkStore({ directory })]);
    stores.push(server!, cli!);
    // LanceDB answers one of two concurrent CreateIndex commits "Retryable commit conflict … Please retry".
    await Promise.all([server!.ensureTable("chunks", 8), cli!.ensureTable("chunks", 8)]);
    await Promise.all([
      server!.appendChunks("chunks", [chunk("s1", "服务器写入的分片", [1, 0, 0, 0, 0, 0, 0, 0])]),
      cli!.appendChunks("chunks", [chunk("c1", "命令行写入的分片", [0, 1, 0, 0, 0, 0, 0, 0])]),
    ]);
    await Promise.all([
      server!.maintain("chunks", { force: true }),
      cli!.maintain("chunks", { force: true }),
    ]);
    const lancedb = await import("@lancedb/lancedb");
    const connection = await lancedb.connect(directory);
    const table = await connection.openTable("chunks");
    const fullTextIndexes = (await table.listIndices()).filter((index) => index.indexType === "FTS");
    expect(fullTextIndexes).toHaveLength(1);
    expect(await table.countRows()).toBe(2);
    connection.close();
    const found = await createChunkSearch({ store: server! }).search("chunks", {
      mode: "fulltext",
      query: "命令行",
      limit: 5,
    });
    expect(found.map((hit) => hit.chunkId)).toEqual(["c1"]);
  });
});

describe("chunk store full-text search of several clauses", () => {
  let directory: string;
  let store: ChunkStore | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-chunk-store-clauses-"));
  });

  afterEach(async () => {
    store?.close();
    store = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  const topics = ["数据库分片", "缓存穿透", "消息队列", "服务降级", "索引优化", "Redis cluster", "垂直拆分"];
  const verbs = ["如何处理", "为什么会出现", "监控", "在高并发下调整", "出现问题时排查"];
  const texts = topics.flatMap((topic, t) =>
    verbs.map(
      (verb, v) =>
        `${topic}${verb}：第 ${t * verbs.length + v} 条笔记说明${topics[(t + v) % topics.length]}。`,
    ),
  );

  it("scores each chunk as LanceDB's Should BooleanQuery of the same clauses does, in the same order", async () => {
    store = await openChunkStore({ directory });
    await store.ensureTable("chunks", 4);
    await store.appendChunks(
      "chunks",
      texts.map((text, index) => chunk(`c${String(index).padStart(2, "0")}`, text, [1, index, 0, 0])),
    );
    await store.maintain("chunks", { force: true });
    const lancedb = await import("@lancedb/lancedb");
    const connection = await lancedb.connect(directory);
    const table = await connection.openTable("chunks");
    try {
      for (const query of [
        "数据库分片如何处理",
        "为什么会出现缓存穿透？",
        "Redis cluster 垂直拆分",
        "消息",
      ]) {
        const clauses = fullTextClauses(query, FULL_TEXT_COLUMN);
        expect(clauses.length, query).toBeGreaterThan(0);
        const boolean = (await table
          .query()
          .fullTextSearch(new lancedb.BooleanQuery(clauses.map((clause) => [lancedb.Occur.Should, clause])))
          .select(["chunk_id", "_score"])
          .limit(texts.length)
          .toArray()) as { chunk_id: string; _score: number }[];
        const expected = boolean
          .map((row) => ({ chunkId: row.chunk_id, score: row._score }))
          .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1))
          .slice(0, 8);
        const found = await store.fullTextSearch("chunks", clauses, { limit: 8 });
        expect(
          found.map((hit) => hit.chunkId),
          query,
        ).toEqual(expected.map((hit) => hit.chunkId));
        for (const [index, hit] of found.entries()) {
          expect(hit.score, query).toBeCloseTo(expected[index]!.score, 4);
        }
      }
    } finally {
      connection.close();
    }
  });

  it("finds nothing for no clauses", async () => {
    store = await openChunkStore({ directory });
    await store.ensureTable("chunks", 4);
    await store.appendChunks("chunks", [chunk("a", "数据库分片", [1, 0, 0, 0])]);
    expect(await store.fullTextSearch("chunks", [], { limit: 5 })).toEqual([]);
  });
});
