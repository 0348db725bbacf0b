#!/usr/bin/env node
/**
 * Search speed benchmark for Zhiku's LanceDB store (issue 7, "speed at scale").
 *
 * For each table size it generates synthetic chunks (1024-dimension clustered unit vectors and
 * mixed Chinese/English text) in a temporary directory, then measures:
 * - brute-force vector search (no index, `bypassVectorIndex()`), full-text search (whitespace index
 *   over a column of space-separated words, as the store indexes jieba's words) and hybrid search
 *   (full text + vector fused with reciprocal rank fusion), p50/p95 latency;
 * - build time of vector indexes (IVF_FLAT, IVF_PQ, IVF_RQ, IVF_HNSW_SQ, IVF_HNSW_PQ) with a few
 *   parameter choices, and for each query-time choice (nprobes, refineFactor, ef) the latency and
 *   recall@10 against brute force;
 * - resident memory (RSS) of this process, and of a fresh child process that only opens the
 *   indexed table and serves queries (the figure closest to the server's).
 *
 * Usage:
 *   node bench/search/run.mjs --sizes 10000,100000
 *   node bench/search/run.mjs --sizes 2000,5000,20000,50000 --brute-only
 *   node bench/search/run.mjs --sizes 100000 --only ivfRq,hnswPq --tag explore
 *
 * Results go to `bench/results/search-<size>.json` (or `search-brute-<size>.json` with
 * `--brute-only`, `search-<size>-<tag>.json` with `--tag`), and `bench/results/search-summary.md`
 * is rebuilt from all result files.
 * Nothing here is a timed test: figures depend on the machine and are recorded with it.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// LanceDB hangs building full-text indexes on small machines unless this is set before it loads.
process.env.LANCE_CPU_THREADS ??= String(os.availableParallelism());
// Hybrid queries log a deprecation warning per query about the implicit `_distance` column (a hybrid
// query cannot select it: the full-text side has no such field). Keep the benchmark output readable.
process.env.LANCEDB_LOG ??= "error";

const lancedb = await import("@lancedb/lancedb");
// LanceDB loads the CommonJS build of apache-arrow; its sanitiser uses `instanceof`, so the ESM
// build's classes would not be recognised (dual-package hazard). Load the same build it does.
const arrow = createRequire(import.meta.url)("apache-arrow");

const dimension = 1024;
const topicCount = 200;
const directionsPerTopic = 32;
const topicSpread = 0.8;
const isotropicNoise = 0.1;
const batchRows = 50_000;
const tableName = "chunks";
/** Column of space-separated words the full-text index is built on (the store's `index_words`). */
const wordsColumn = "words";
/** Full-text index options: the store's own (words are already cut apart, so whitespace splits them). */
const { FULL_TEXT_INDEX_OPTIONS: fullTextOptions } = await import(
  "../../packages/ingest/dist/store/chunk-store.js"
);
/** How the full-text side is described in the summary (result files before it was recorded used n-grams). */
const fullTextLabel = "whitespace over words";
const scriptPath = fileURLToPath(import.meta.url);
const defaultResultsDirectory = path.resolve(path.dirname(scriptPath), "../results");

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "200" },
    "brute-queries": { type: "string" },
    seed: { type: "string", default: "42" },
    "brute-only": { type: "boolean", default: false },
    "data-dir": { type: "string" },
    "results-dir": { type: "string", default: defaultResultsDirectory },
    skip: { type: "string", default: "" },
    only: { type: "string", default: "" },
    tag: { type: "string" },
    distance: { type: "string", default: "cosine" },
    "summary-only": { type: "boolean", default: false },
    "internal-generate": { type: "string" },
    "internal-probe": { type: "string" },
    "internal-build": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (!["cosine", "dot", "l2"].includes(values.distance)) {
  throw Object.assign(new Error(`--distance: "${values.distance}" must be cosine, dot or l2`), {
    code: "invalid:distance",
  });
}
if (values.tag !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(values.tag)) {
  throw Object.assign(new Error(`--tag: "${values.tag}" must be lowercase letters, digits and dashes`), {
    code: "invalid:tag",
  });
}
/** Distance used for search and index training; the product uses cosine (unit vectors from bge-m3). */
const distanceType = /** @type {"cosine" | "dot" | "l2"} */ (values.distance);

// ---------------------------------------------------------------------------------------------
// Deterministic data
// ---------------------------------------------------------------------------------------------

/**
 * A small seeded PRNG (mulberry32): fast, good enough for synthetic data, same output everywhere.
 * @param {number} seed 32-bit seed
 * @returns {() => number} uniform numbers in [0, 1)
 */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Mixes two integers into a 32-bit seed, so each row has its own reproducible random stream.
 * @param {number} first
 * @param {number} second
 * @returns {number}
 */
function mixSeed(first, second) {
  let hash = Math.imul(first ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(second + 0x7f4a7c15, 0xc2b2ae35);
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  return hash >>> 0;
}

/**
 * Fills `target` with standard normal samples (Box-Muller).
 * @param {Float32Array} target
 * @param {() => number} random
 */
function fillGaussian(target, random) {
  for (let index = 0; index < target.length; index += 2) {
    const radius = Math.sqrt(-2 * Math.log(1 - random()));
    const angle = 2 * Math.PI * random();
    target[index] = radius * Math.cos(angle);
    if (index + 1 < target.length) target[index + 1] = radius * Math.sin(angle);
  }
}

/**
 * Scales a vector to unit length in place.
 * @param {Float32Array} vector
 */
function normalise(vector) {
  let sum = 0;
  for (let index = 0; index < vector.length; index += 1) sum += vector[index] * vector[index];
  const scale = 1 / Math.sqrt(sum || 1);
  for (let index = 0; index < vector.length; index += 1) vector[index] *= scale;
}

/**
 * The fixed structure of the synthetic space: 200 random unit topic centroids, each with 32 random
 * unit directions along which its chunks spread (weights decaying with the direction's rank).
 * Real text embeddings are clustered and have a low intrinsic dimension; isotropic noise over all
 * 1024 dimensions would instead make every neighbour almost equidistant, which no embedding model
 * produces and which makes any quantised index look far worse than it is on real data.
 * @param {number} seed
 * @returns {{ centroids: Float32Array[], bases: Float32Array[][] }}
 */
function createSpace(seed) {
  const random = createRandom(mixSeed(seed, 0xc0ffee));
  /** @type {Float32Array[]} */
  const centroids = [];
  /** @type {Float32Array[][]} */
  const bases = [];
  for (let topicIndex = 0; topicIndex < topicCount; topicIndex += 1) {
    const centroid = new Float32Array(dimension);
    fillGaussian(centroid, random);
    normalise(centroid);
    centroids.push(centroid);
    const basis = [];
    for (let direction = 0; direction < directionsPerTopic; direction += 1) {
      const vector = new Float32Array(dimension);
      fillGaussian(vector, random);
      normalise(vector);
      basis.push(vector);
    }
    bases.push(basis);
  }
  return { centroids, bases };
}

/** Spread weight of each topic direction: 1/sqrt(rank), normalised so the spread has unit scale. */
const directionWeights = (() => {
  const weights = Array.from({ length: directionsPerTopic }, (_, rank) => 1 / Math.sqrt(rank + 1));
  const norm = Math.sqrt(weights.reduce((sum, weight) => sum + weight * weight, 0));
  return weights.map((weight) => weight / norm);
})();

/** Chinese words of the synthetic vocabulary (technical terms, as in the real corpus). */
const chineseWords = (
  "索引 向量 检索 分布式 缓存 数据库 事务 隔离 一致性 可用性 分区 副本 主从 哨兵 集群 持久化 快照 日志 " +
  "线程 进程 协程 锁 死锁 乐观锁 悲观锁 队列 消息 幂等 重试 限流 熔断 降级 网关 注册中心 配置中心 负载均衡 " +
  "虚拟机 垃圾回收 内存模型 类加载 字节码 堆 栈 方法区 元空间 新生代 老年代 标记清除 复制算法 " +
  "容器 镜像 部署 监控 告警 延迟 吞吐量 并发 异步 回调 序列化 反序列化 协议 编码 解码 压缩 加密 哈希 " +
  "搜索 排序 分页 聚合 倒排 分词 中文 英文 文档 段落 标题 摘要 知识库 问答 模型 嵌入 召回 精度 重排"
).split(" ");

/** English words of the synthetic vocabulary. */
const englishWords = (
  "index vector search cluster cache database transaction isolation consistency availability partition " +
  "replica master sentinel persistence snapshot log thread process lock deadlock queue message retry " +
  "limit circuit gateway registry config balancer heap stack garbage collector class loader bytecode " +
  "container image deploy monitor alert latency throughput concurrency async callback serialize protocol " +
  "encode decode compress encrypt hash sort page aggregate inverted token document paragraph title summary " +
  "knowledge answer model embedding recall precision rerank redis kafka spring netty mybatis dubbo tomcat " +
  "zookeeper elasticsearch mysql postgres sharding failover eviction expire pipeline pubsub stream lua"
).split(" ");

/**
 * Picks a word with a Zipf-like bias, skewed towards the row's topic so that full-text and
 * vector similarity are correlated, as they are for real chunks.
 * @param {string[]} words
 * @param {number} topicIndex
 * @param {() => number} random
 * @returns {string}
 */
function pickWord(words, topicIndex, random) {
  const rank = Math.floor(words.length * random() ** 2.5);
  const shifted = random() < 0.5 ? (rank + topicIndex * 7) % words.length : rank;
  return words[shifted];
}

/**
 * Builds one synthetic chunk: its display text (40–80 words, runs of Chinese words written without
 * spaces between runs of English words, plus a chunk number so every text is distinct) and the same
 * words separated by spaces, as the store's jieba segmentation writes its `index_words` column (Chinese
 * words cut apart, punctuation dropped, the chunk number kept as a token).
 * @param {number} topicIndex
 * @param {() => number} random
 * @param {number} rowId
 * @returns {{ text: string, words: string }}
 */
function createText(topicIndex, random, rowId) {
  const wordCount = 40 + Math.floor(random() * 41);
  /** @type {string[]} */
  const parts = [];
  /** @type {string[]} */
  const words = [];
  let written = 0;
  while (written < wordCount) {
    const runLength = 1 + Math.floor(random() * 5);
    if (random() < 0.55) {
      let run = "";
      for (let index = 0; index < runLength; index += 1) {
        const word = pickWord(chineseWords, topicIndex, random);
        run += word;
        words.push(word);
      }
      parts.push(`${run}。`);
    } else {
      for (let index = 0; index < runLength; index += 1) {
        const word = pickWord(englishWords, topicIndex, random);
        parts.push(word);
        words.push(word);
      }
    }
    written += runLength;
  }
  parts.push(`#${rowId}`);
  words.push(String(rowId));
  return { text: parts.join(" "), words: words.join(" ") };
}

/**
 * Writes one row's vector (topic centroid + spread along the topic's directions + a little
 * isotropic noise, normalised) into `target` and returns its topic.
 * Each row has its own seeded stream, so queries can rebuild any row without storing it.
 * @param {{ rowId: number, seed: number, space: ReturnType<typeof createSpace>, target: Float32Array, noise: Float32Array }} options
 * @returns {{ topicIndex: number, random: () => number }}
 */
function createRowVector({ rowId, seed, space, target, noise }) {
  const random = createRandom(mixSeed(seed, rowId + 1));
  const topicIndex = Math.floor(random() * topicCount);
  target.set(space.centroids[topicIndex]);
  const basis = space.bases[topicIndex];
  const coefficients = new Float32Array(directionsPerTopic);
  fillGaussian(coefficients, random);
  for (let direction = 0; direction < directionsPerTopic; direction += 1) {
    const weight = topicSpread * directionWeights[direction] * coefficients[direction];
    const vector = basis[direction];
    for (let index = 0; index < dimension; index += 1) target[index] += weight * vector[index];
  }
  fillGaussian(noise, random);
  normalise(noise);
  for (let index = 0; index < dimension; index += 1) target[index] += isotropicNoise * noise[index];
  normalise(target);
  return { topicIndex, random };
}

/**
 * Builds one Arrow record batch of rows [start, start + count).
 * @param {{ start: number, count: number, seed: number, space: ReturnType<typeof createSpace> }} options
 */
function createBatch({ start, count, seed, space }) {
  const values = new Float32Array(count * dimension);
  const noise = new Float32Array(dimension);
  const ids = new Int32Array(count);
  /** @type {string[]} */
  const texts = new Array(count);
  /** @type {string[]} */
  const wordLists = new Array(count);
  for (let offset = 0; offset < count; offset += 1) {
    const rowId = start + offset;
    const target = values.subarray(offset * dimension, (offset + 1) * dimension);
    const { topicIndex, random } = createRowVector({ rowId, seed, space, target, noise });
    ids[offset] = rowId;
    const { text, words } = createText(topicIndex, random, rowId);
    texts[offset] = text;
    wordLists[offset] = words;
  }
  const vectorType = new arrow.FixedSizeList(dimension, new arrow.Field("item", new arrow.Float32(), true));
  const schema = new arrow.Schema([
    new arrow.Field("id", new arrow.Int32(), false),
    new arrow.Field("text", new arrow.Utf8(), false),
    new arrow.Field("words", new arrow.Utf8(), false),
    new arrow.Field("vector", vectorType, false),
  ]);
  const floatData = arrow.makeData({ type: new arrow.Float32(), length: values.length, data: values });
  const textData = arrow.vectorFromArray(texts, new arrow.Utf8()).data[0];
  const children = [
    arrow.makeData({ type: new arrow.Int32(), length: count, data: ids }),
    textData,
    arrow.vectorFromArray(wordLists, new arrow.Utf8()).data[0],
    arrow.makeData({ type: vectorType, length: count, child: floatData }),
  ];
  const structData = arrow.makeData({ type: new arrow.Struct(schema.fields), length: count, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, structData)]);
}

/**
 * Creates the table with `rows` synthetic chunks, written in batches to keep memory low.
 * @param {{ directory: string, rows: number, seed: number }} options
 */
async function generateTable({ directory, rows, seed }) {
  const space = createSpace(seed);
  const connection = await lancedb.connect(directory);
  let table;
  for (let start = 0; start < rows; start += batchRows) {
    const batch = createBatch({ start, count: Math.min(batchRows, rows - start), seed, space });
    if (table === undefined) table = await connection.createTable(tableName, batch, { mode: "overwrite" });
    else await table.add(batch);
  }
  // Compact the per-batch fragments, as the store's periodic optimize would, and drop the
  // pre-compaction files (by default optimize keeps old versions for a week, doubling the disk used).
  await table?.optimize({ cleanupOlderThan: new Date() });
  table?.close();
}

/**
 * Query set: each query is a perturbed copy of a random chunk (a question close to one passage),
 * with two words of that chunk's text as its full-text query.
 * The rows are rebuilt from the data seed; which rows and the perturbation come from the query seed.
 * @param {{ rows: number, seed: number, querySeed: number, count: number }} options
 * @returns {{ vector: number[], text: string }[]}
 */
function createQueries({ rows, seed, querySeed, count }) {
  const space = createSpace(seed);
  const random = createRandom(mixSeed(querySeed, 0xbeef));
  const target = new Float32Array(dimension);
  const noise = new Float32Array(dimension);
  const queries = [];
  for (let index = 0; index < count; index += 1) {
    const rowId = Math.floor(random() * rows);
    const row = createRowVector({ rowId, seed, space, target, noise });
    // Two of the chunk's words (not its number), as the store would get them from segmenting a question.
    const words = createText(row.topicIndex, row.random, rowId).words.split(" ").slice(0, -1);
    fillGaussian(noise, random);
    normalise(noise);
    for (let dim = 0; dim < dimension; dim += 1) target[dim] += 0.5 * noise[dim];
    normalise(target);
    const first = words[Math.floor(random() * words.length)];
    const second = words[Math.floor(random() * words.length)];
    queries.push({ vector: Array.from(target), text: `${first} ${second}` });
  }
  return queries;
}

// ---------------------------------------------------------------------------------------------
// Measuring
// ---------------------------------------------------------------------------------------------

/**
 * @param {number[]} sorted ascending
 * @param {number} fraction
 */
function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const position = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[position];
}

/**
 * Runs `run` for each query (after a few warm-up calls) and returns latency percentiles
 * in milliseconds plus each query's result ids.
 * @param {{ queries: { vector: number[], text: string }[], run: (query: { vector: number[], text: string }) => Promise<{ id: number }[]>, warmup?: number }} options
 */
async function measure({ queries, run, warmup = 5 }) {
  for (let index = 0; index < Math.min(warmup, queries.length); index += 1) await run(queries[index]);
  /** @type {number[]} */
  const latencies = [];
  /** @type {number[][]} */
  const ids = [];
  for (const query of queries) {
    const started = performance.now();
    const rows = await run(query);
    latencies.push(performance.now() - started);
    ids.push(rows.map((row) => row.id));
  }
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (value) => Math.round(value * 100) / 100;
  return {
    queries: queries.length,
    p50Ms: round(percentile(sorted, 0.5)),
    p95Ms: round(percentile(sorted, 0.95)),
    meanMs: round(latencies.reduce((sum, value) => sum + value, 0) / latencies.length),
    ids,
  };
}

/**
 * Mean share of the exact top 10 that a search also returned.
 * @param {number[][]} found
 * @param {number[][]} exact
 */
function recallAt10(found, exact) {
  let total = 0;
  for (let index = 0; index < exact.length; index += 1) {
    const expected = new Set(exact[index].slice(0, 10));
    const hits = found[index].slice(0, 10).filter((id) => expected.has(id)).length;
    total += hits / Math.max(1, expected.size);
  }
  return Math.round((total / exact.length) * 1000) / 1000;
}

const megabytes = (bytes) => Math.round(bytes / 1024 / 1024);

/** This process's peak resident memory (Linux `VmHWM`), or null where /proc is missing. */
async function peakRssMegabytes() {
  try {
    const status = await readFile("/proc/self/status", "utf8");
    const kilobytes = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1]);
    return Number.isFinite(kilobytes) ? Math.round(kilobytes / 1024) : null;
  } catch {
    return null;
  }
}

/**
 * Vector search with the given query-time parameters; `brute` bypasses any index.
 * @param {import("@lancedb/lancedb").Table} table
 * @param {{ brute?: boolean, nprobes?: number, refineFactor?: number, ef?: number }} parameters
 */
function vectorSearch(table, parameters) {
  return (query) => {
    let search = table
      .query()
      .nearestTo(query.vector)
      .distanceType(distanceType)
      .select(["id", "_distance"])
      .limit(10);
    if (parameters.brute) search = search.bypassVectorIndex();
    if (parameters.nprobes !== undefined) search = search.nprobes(parameters.nprobes);
    if (parameters.refineFactor !== undefined) search = search.refineFactor(parameters.refineFactor);
    if (parameters.ef !== undefined) search = search.ef(parameters.ef);
    return search.toArray();
  };
}

/**
 * Hybrid search: full text and vector fused by reciprocal rank fusion (as the store will do).
 * @param {import("@lancedb/lancedb").Table} table
 * @param {unknown} reranker
 * @param {{ brute?: boolean, nprobes?: number, refineFactor?: number, ef?: number }} parameters
 */
function hybridSearch(table, reranker, parameters) {
  return (query) => {
    let search = table
      .query()
      .fullTextSearch(query.text, { columns: [wordsColumn] })
      .nearestTo(query.vector)
      .distanceType(distanceType)
      .select(["id"])
      .rerank(reranker)
      .limit(10);
    if (parameters.brute) search = search.bypassVectorIndex();
    if (parameters.nprobes !== undefined) search = search.nprobes(parameters.nprobes);
    if (parameters.refineFactor !== undefined) search = search.refineFactor(parameters.refineFactor);
    if (parameters.ef !== undefined) search = search.ef(parameters.ef);
    return search.toArray();
  };
}

/**
 * Full-text search over the words column, queried with space-separated words as the store does.
 * @param {import("@lancedb/lancedb").Table} table
 */
function fullTextSearch(table) {
  return (query) =>
    table
      .query()
      .fullTextSearch(query.text, { columns: [wordsColumn] })
      .select(["id", "_score"])
      .limit(10)
      .toArray();
}

/**
 * The index configurations tried at a given size, each with its query-time choices.
 * IVF partitions follow the usual sqrt(rows) rule; HNSW uses one graph per ~100k rows.
 * Ordered by build time on a small machine, so a long run measures the quick ones first.
 * "fast" variants train the IVF k-means on fewer iterations and a smaller sample, the main
 * cost of building IVF indexes with many partitions on few cores.
 * @param {number} rows
 */
function indexConfigurations(rows) {
  const partitions = Math.min(4096, Math.max(16, Math.round(Math.sqrt(rows))));
  const fastTraining = { maxIterations: 10, sampleRate: 64 };
  const pqQueries = [];
  for (const nprobes of [10, 20, 50]) {
    for (const refineFactor of [undefined, 5, 10]) pqQueries.push({ nprobes, refineFactor });
  }
  const fastPqQueries = [
    { nprobes: 10, refineFactor: 10 },
    { nprobes: 20, refineFactor: 5 },
    { nprobes: 20, refineFactor: 10 },
    { nprobes: 50, refineFactor: 10 },
  ];
  // RaBitQ keeps 1 bit a dimension: its estimates need re-ranking with full vectors for a good top 10.
  const rqQueries = [];
  for (const nprobes of [10, 20, 50]) {
    for (const refineFactor of [undefined, 2, 5, 10]) rqQueries.push({ nprobes, refineFactor });
  }
  const hnswPartitions = Math.max(1, Math.round(rows / 100_000));
  const hnswQueries = [];
  for (const ef of [40, 100, 200]) {
    hnswQueries.push({ nprobes: hnswPartitions, ef });
    if (hnswPartitions > 2) hnswQueries.push({ nprobes: Math.ceil(hnswPartitions / 3), ef });
  }
  const hnswPqQueries = [];
  for (const ef of [100, 200]) {
    for (const refineFactor of [undefined, 5, 10])
      hnswPqQueries.push({ nprobes: hnswPartitions, ef, refineFactor });
  }
  // IVF_FLAT keeps full vectors (exact distances within the probed partitions): a baseline for
  // what partitioning alone costs in recall. Skipped at large sizes, where it copies every vector.
  const flat = {
    name: `IVF_FLAT p=${partitions}`,
    type: "ivfFlat",
    options: { numPartitions: partitions },
    queries: [{ nprobes: 10 }, { nprobes: 20 }],
  };
  return [
    ...(rows <= 200_000 ? [flat] : []),
    {
      name: `IVF_RQ p=${partitions} bits=1`,
      type: "ivfRq",
      options: { numPartitions: partitions, numBits: 1 },
      queries: rqQueries,
    },
    {
      name: `IVF_RQ p=${partitions} bits=1 fast`,
      type: "ivfRq",
      options: { numPartitions: partitions, numBits: 1, ...fastTraining },
      queries: rqQueries,
    },
    {
      name: `IVF_HNSW_SQ p=${hnswPartitions} m=20`,
      type: "hnswSq",
      options: { numPartitions: hnswPartitions, m: 20, efConstruction: 150 },
      queries: hnswQueries,
    },
    {
      name: `IVF_HNSW_PQ p=${hnswPartitions} m=20 sub=64`,
      type: "hnswPq",
      options: { numPartitions: hnswPartitions, numSubVectors: 64, m: 20, efConstruction: 150 },
      queries: hnswPqQueries,
    },
    {
      name: `IVF_PQ p=${partitions} sub=64`,
      type: "ivfPq",
      options: { numPartitions: partitions, numSubVectors: 64 },
      queries: pqQueries,
    },
    {
      name: `IVF_PQ p=${partitions} sub=64 fast`,
      type: "ivfPq",
      options: { numPartitions: partitions, numSubVectors: 64, ...fastTraining },
      queries: fastPqQueries,
    },
    {
      name: `IVF_PQ p=${partitions} sub=128`,
      type: "ivfPq",
      options: { numPartitions: partitions, numSubVectors: 128 },
      queries: pqQueries,
    },
  ];
}

/**
 * Whether a configuration is selected by `--only` (when given) and not excluded by `--skip`;
 * entries are index types (`ivfRq`) or parts of configuration names (`sub=128`, `fast`).
 * @param {{ name: string, type: string }} configuration
 * @param {{ only: Set<string>, skip: Set<string> }} filters
 */
function isSelected(configuration, { only, skip }) {
  const matches = (entry) => configuration.type === entry || configuration.name.includes(entry);
  if (only.size > 0 && ![...only].some(matches)) return false;
  return ![...skip].some(matches);
}

/**
 * Opens the table in a fresh child process and serves queries there, reporting its RSS:
 * the closest stand-in for the server process, without this benchmark's own allocations.
 * @param {{ directory: string, rows: number, seed: number, queries: number, parameters: object }} options
 * @returns {Promise<{ rssMb: number, vectorP95Ms: number, hybridP95Ms: number }>}
 */
function probeInChild(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-probe", JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`probe process exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}"));
    });
  });
}

/**
 * Child side of `probeInChild`.
 * @param {{ directory: string, rows: number, seed: number, queries: number, parameters: object }} options
 */
async function runProbe(options) {
  const queries = createQueries({
    rows: options.rows,
    seed: options.seed,
    querySeed: options.seed + 1,
    count: options.queries,
  });
  const connection = await lancedb.connect(options.directory);
  const table = await connection.openTable(tableName);
  const reranker = await lancedb.rerankers.RRFReranker.create();
  const vector = await measure({ queries, run: vectorSearch(table, options.parameters) });
  const hybrid = await measure({ queries, run: hybridSearch(table, reranker, options.parameters) });
  const fulltext = await measure({ queries, run: fullTextSearch(table) });
  process.stdout.write(
    `${JSON.stringify({ rssMb: megabytes(process.memoryUsage().rss), peakRssMb: await peakRssMegabytes(), vectorP95Ms: vector.p95Ms, hybridP95Ms: hybrid.p95Ms, fulltextP95Ms: fulltext.p95Ms })}\n`,
  );
}

/**
 * Builds a vector index in a child process (replacing any other) and returns the child's peak RSS.
 * @param {{ directory: string, type: string, options: object }} options
 * @returns {Promise<{ peakRssMb: number | null }>}
 */
function buildInChild(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-build", JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let errors = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      errors += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0)
        reject(new Error(`index build exited with ${code}: ${errors.trim().split("\n").at(-1)}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}"));
    });
  });
}

/**
 * Child side of `buildInChild`.
 * @param {{ directory: string, type: string, options: object }} options
 */
async function runBuild(options) {
  const connection = await lancedb.connect(options.directory);
  const table = await connection.openTable(tableName);
  await table.createIndex("vector", { config: lancedb.Index[options.type](options.options), replace: true });
  table.close();
  process.stdout.write(`${JSON.stringify({ peakRssMb: await peakRssMegabytes() })}\n`);
}

/**
 * Generates the table in a child process, so the generator's memory does not count
 * towards the RSS measured afterwards.
 * @param {{ directory: string, rows: number, seed: number }} options
 */
function generateInChild(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-generate", JSON.stringify(options)], {
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(undefined) : reject(new Error(`generator exited with ${code}`)),
    );
  });
}

/** @param {string} message */
function log(message) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Benchmarks one table size and returns the result record.
 * @param {{ rows: number, seed: number, queryCount: number, bruteQueryCount: number, bruteOnly: boolean, dataDirectory?: string, skip: Set<string>, only: Set<string>, tag?: string, save: (result: object) => Promise<void> }} options
 */
async function benchmarkSize({
  rows,
  seed,
  queryCount,
  bruteQueryCount,
  bruteOnly,
  dataDirectory,
  skip,
  only,
  tag,
  save,
}) {
  const directory = dataDirectory
    ? path.join(dataDirectory, `rows-${rows}-seed-${seed}-words`)
    : await mkdtemp(path.join(os.tmpdir(), "zhiku-bench-search-"));
  const result = {
    rows,
    ...(tag ? { tag } : {}),
    dimension,
    distanceType,
    seed,
    lancedb: await lancedbVersion(),
    machine: machineDescription(),
    loadAverageAtStart: os.loadavg().map((load) => Math.round(load * 10) / 10),
    // LanceDB tuning from the environment (such as LANCE_SHUFFLE_BATCH_BYTES), which index builds inherit.
    environment: Object.fromEntries(
      Object.entries(process.env).filter(([name]) => name.startsWith("LANCE_")),
    ),
    date: new Date().toISOString(),
    generateSeconds: 0,
    bruteForce: {},
    fulltext: {},
    hybridBrute: {},
    indexes: [],
    rss: {},
    complete: false,
  };
  try {
    let existing = false;
    try {
      existing = (await readdir(path.join(directory, `${tableName}.lance`))).length > 0;
    } catch {}
    const generateStarted = performance.now();
    if (!existing) {
      log(`${rows} rows: generating into ${directory}`);
      await generateInChild({ directory, rows, seed });
    } else log(`${rows} rows: reusing ${directory}`);
    result.generateSeconds = existing ? null : Math.round((performance.now() - generateStarted) / 100) / 10;

    const connection = await lancedb.connect(directory);
    const table = await connection.openTable(tableName);
    result.rowsInTable = await table.countRows();
    const queries = createQueries({ rows, seed, querySeed: seed + 1, count: queryCount });
    const bruteQueries = queries.slice(0, bruteQueryCount);
    for (const index of await table.listIndices()) await table.dropIndex(index.name);

    log(`${rows} rows: brute-force vector search x${bruteQueries.length}`);
    const brute = await measure({
      queries: bruteQueries,
      run: vectorSearch(table, { brute: true }),
      warmup: 3,
    });
    const { ids: exactIds, ...bruteFigures } = brute;
    result.bruteForce = bruteFigures;
    result.rss.afterBruteForceMb = megabytes(process.memoryUsage().rss);
    log(`  p50 ${brute.p50Ms} ms, p95 ${brute.p95Ms} ms`);
    if (bruteOnly) return { ...result, complete: true };

    log(`${rows} rows: building the full-text index (${fullTextLabel})`);
    let started = performance.now();
    await table.createIndex(wordsColumn, { config: lancedb.Index.fts(fullTextOptions), replace: true });
    result.fulltext.index = fullTextLabel;
    result.fulltext.options = fullTextOptions;
    result.fulltext.buildSeconds = Math.round((performance.now() - started) / 100) / 10;
    const { ids: _fulltextIds, ...fulltextFigures } = await measure({ queries, run: fullTextSearch(table) });
    Object.assign(result.fulltext, fulltextFigures);
    log(
      `  built in ${result.fulltext.buildSeconds} s; p50 ${fulltextFigures.p50Ms} ms, p95 ${fulltextFigures.p95Ms} ms`,
    );

    const reranker = await lancedb.rerankers.RRFReranker.create();
    const { ids: _hybridIds, ...hybridBrute } = await measure({
      // Only for the ratio: 20 queries are enough, and each takes seconds on big tables.
      queries: bruteQueries.slice(0, 20),
      run: hybridSearch(table, reranker, { brute: true }),
      // At 1M rows each of these takes ~20 s.
      warmup: 1,
    });
    result.hybridBrute = hybridBrute;
    // Saved after each stage, so a long run that is stopped still leaves what it measured.
    await save(result);
    log(`${rows} rows: hybrid without vector index p95 ${hybridBrute.p95Ms} ms`);

    for (const configuration of indexConfigurations(rows)) {
      if (!isSelected(configuration, { only, skip })) continue;
      log(`${rows} rows: building ${configuration.name}`);
      started = performance.now();
      let build;
      try {
        // Built in a fresh process, as the server builds it beside its searches: its peak RSS is
        // the memory a server needs for the build, without this benchmark's own allocations.
        build = await buildInChild({
          directory,
          type: configuration.type,
          options: { ...configuration.options, distanceType },
        });
        await table.checkoutLatest();
      } catch (error) {
        // Record what this LanceDB version refused (an unsupported option, say) and go on with the rest.
        log(`  failed: ${error instanceof Error ? error.message : String(error)}`);
        result.indexes.push({
          name: configuration.name,
          type: configuration.type,
          options: configuration.options,
          error: error instanceof Error ? error.message : String(error),
          queries: [],
        });
        await save(result);
        continue;
      }
      const buildSeconds = Math.round((performance.now() - started) / 100) / 10;
      log(`  built in ${buildSeconds} s, peak RSS of the building process ${build.peakRssMb} MB`);
      const record = {
        name: configuration.name,
        type: configuration.type,
        options: configuration.options,
        buildSeconds,
        buildPeakRssMb: build.peakRssMb,
        queries: [],
      };
      for (const parameters of configuration.queries) {
        const measured = await measure({ queries, run: vectorSearch(table, parameters) });
        const recall = recallAt10(measured.ids.slice(0, bruteQueries.length), exactIds);
        const { ids: _ids, ...figures } = measured;
        record.queries.push({
          parameters,
          ...figures,
          recallAt10: recall,
          p95RatioToBrute: Math.round((figures.p95Ms / brute.p95Ms) * 1000) / 1000,
        });
        log(
          `  ${JSON.stringify(parameters)}: p50 ${figures.p50Ms} ms, p95 ${figures.p95Ms} ms, recall@10 ${recall}`,
        );
      }
      const chosen = chooseParameters(record.queries);
      record.chosen = chosen?.parameters ?? null;
      if (chosen) {
        const { ids: _ids, ...hybrid } = await measure({
          queries,
          run: hybridSearch(table, reranker, chosen.parameters),
        });
        record.hybrid = hybrid;
        record.probe = await probeInChild({
          directory,
          rows,
          seed,
          queries: Math.min(200, queryCount),
          parameters: chosen.parameters,
        });
        log(
          `  chosen ${JSON.stringify(chosen.parameters)}: hybrid p95 ${hybrid.p95Ms} ms; fresh process RSS ${record.probe.rssMb} MB`,
        );
      }
      const stats = await table.indexStats("vector_idx").catch(() => undefined);
      if (stats)
        record.indexStats = {
          numIndexedRows: stats.numIndexedRows,
          numUnindexedRows: stats.numUnindexedRows,
          indexType: stats.indexType,
        };
      // On-disk size of the index files: what a server must page in to search without reading the table.
      const listed = (await table.listIndices()).find((index) => index.columns.includes("vector"));
      if (listed?.sizeBytes !== undefined) record.indexSizeMb = megabytes(Number(listed.sizeBytes));
      result.indexes.push(record);
      await save(result);
    }
    result.rss.afterAllMb = megabytes(process.memoryUsage().rss);
    result.loadAverageAtEnd = os.loadavg().map((load) => Math.round(load * 10) / 10);
    result.complete = true;
    table.close();
    return result;
  } finally {
    if (!dataDirectory) await rm(directory, { recursive: true, force: true });
  }
}

/**
 * The cheapest query-time choice (lowest p95) whose recall@10 is at least 0.95,
 * or the most accurate one when none reaches it.
 * @param {{ parameters: object, p95Ms: number, recallAt10: number }[]} measured
 */
function chooseParameters(measured) {
  const good = measured.filter((entry) => entry.recallAt10 >= 0.95).sort((a, b) => a.p95Ms - b.p95Ms);
  if (good.length > 0) return good[0];
  return [...measured].sort((a, b) => b.recallAt10 - a.recallAt10 || a.p95Ms - b.p95Ms)[0];
}

/** The installed LanceDB version (its package.json is not exported, so it is found beside the entry). */
async function lancedbVersion() {
  const manifest = new URL("../package.json", import.meta.resolve("@lancedb/lancedb"));
  return JSON.parse(await readFile(manifest, "utf8")).version;
}

/** The machine the figures come from. */
function machineDescription() {
  return {
    cpus: os.availableParallelism(),
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
  };
}

/**
 * Rebuilds the markdown summary from every result file in the results directory.
 * @param {string} resultsDirectory
 */
async function writeSummary(resultsDirectory) {
  const files = (await readdir(resultsDirectory)).filter((name) =>
    /^search-(brute-)?\d+(-dot|-l2)?(-[a-z0-9][a-z0-9-]*)?\.json$/.test(name),
  );
  const results = [];
  for (const name of files)
    results.push({ name, ...JSON.parse(await readFile(path.join(resultsDirectory, name), "utf8")) });
  results.sort((a, b) => a.rows - b.rows || a.name.localeCompare(b.name));
  const lines = [
    "# Search benchmark results",
    "",
    "Generated by `bench/search/run.mjs`; see `bench/README.md` for how to run it.",
    "",
  ];
  // Hand-written conclusions (which index for which size, the targets) are kept in search-notes.md,
  // so regenerating the tables does not lose them.
  const notes = await readFile(path.join(resultsDirectory, "search-notes.md"), "utf8").catch(() => "");
  if (notes.trim()) lines.push(notes.trim(), "");
  const first = results[0];
  if (first) {
    const machine = first.machine;
    lines.push(
      `Machine: ${machine.cpus} CPUs (${machine.cpuModel}), ${machine.memoryGb} GB RAM, Node ${machine.node}, LanceDB ${first.lancedb}. Vectors: ${dimension} dimensions.`,
      "",
    );
  }
  lines.push(
    "## Brute-force vector search (no index)",
    "",
    "| rows | distance | queries | p50 ms | p95 ms | load average (1 min) at start | date |",
    "|---:|---|---:|---:|---:|---:|---|",
  );
  for (const result of results) {
    lines.push(
      `| ${result.rows} | ${result.distanceType} | ${result.bruteForce.queries} | ${result.bruteForce.p50Ms} | ${result.bruteForce.p95Ms} | ${result.loadAverageAtStart?.[0] ?? "?"} | ${result.date.slice(0, 10)} |`,
    );
  }
  for (const result of results.filter(
    (entry) => entry.indexes.length > 0 || entry.fulltext.p95Ms !== undefined,
  )) {
    // Result files from before the full-text side was recorded used an ngram 2–3 index on the text.
    const fullText = result.fulltext.index ?? "ngram 2–3";
    // `complete` is false while a run is going (or was stopped); files from before it was recorded were whole.
    const title = `${result.tag ? ` run "${result.tag}"` : ""}${result.complete === false ? ", incomplete" : ""}`;
    lines.push("", `## ${result.rows} rows (${result.distanceType})${title}`, "");
    const tuning = Object.entries(result.environment ?? {})
      .filter(([name]) => name !== "LANCE_CPU_THREADS")
      .map(([name, value]) => `${name}=${value}`);
    lines.push(
      `File \`${result.name}\`${tuning.length > 0 ? ` (environment: ${tuning.join(", ")})` : ""}, ${result.date.slice(0, 16).replace("T", " ")} UTC. Generated in ${result.generateSeconds ?? "(reused)"} s. Full-text index (${fullText}) built in ${result.fulltext.buildSeconds} s. Brute-force and recall figures over ${result.bruteForce.queries} queries, the others over ${result.fulltext.queries}. Load average (1 min) at start ${result.loadAverageAtStart?.[0] ?? "?"}, at end ${result.loadAverageAtEnd?.[0] ?? "?"} on ${result.machine.cpus} CPUs.`,
      "",
    );
    lines.push(
      "| search | index / parameters | build s | p50 ms | p95 ms | p95 / brute | recall@10 |",
      "|---|---|---:|---:|---:|---:|---:|",
    );
    lines.push(
      `| vector | none (brute force) | – | ${result.bruteForce.p50Ms} | ${result.bruteForce.p95Ms} | 1 | 1 |`,
    );
    lines.push(
      `| full text | ${fullText} | ${result.fulltext.buildSeconds} | ${result.fulltext.p50Ms} | ${result.fulltext.p95Ms} | – | – |`,
    );
    lines.push(
      `| hybrid (RRF) | no vector index | – | ${result.hybridBrute.p50Ms} | ${result.hybridBrute.p95Ms} | – | – |`,
    );
    for (const index of result.indexes) {
      if (index.error)
        lines.push(
          `| vector | ${index.name}: build failed (${index.error.split("\n")[0]}) | – | – | – | – | – |`,
        );
      for (const query of index.queries) {
        const parameters = Object.entries(query.parameters)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => `${key}=${value}`)
          .join(" ");
        lines.push(
          `| vector | ${index.name}, ${parameters} | ${index.buildSeconds} | ${query.p50Ms} | ${query.p95Ms} | ${query.p95RatioToBrute} | ${query.recallAt10} |`,
        );
      }
      if (index.hybrid) {
        const parameters = Object.entries(index.chosen)
          .filter(([, value]) => value !== undefined)
          .map(([key, value]) => `${key}=${value}`)
          .join(" ");
        lines.push(
          `| hybrid (RRF) | ${index.name}, ${parameters} | – | ${index.hybrid.p50Ms} | ${index.hybrid.p95Ms} | – | – |`,
        );
      }
    }
    const probes = result.indexes
      .filter((index) => index.probe)
      .map(
        (index) =>
          `${index.name}: ${index.probe.rssMb} MB${index.probe.peakRssMb ? ` (peak ${index.probe.peakRssMb} MB)` : ""}${index.indexSizeMb !== undefined ? `, index files ${index.indexSizeMb} MB` : ""}${index.buildPeakRssMb ? `, building it ${index.buildPeakRssMb} MB` : ""}`,
      );
    lines.push(
      "",
      `RSS of the benchmark process after everything: ${result.rss.afterAllMb} MB. RSS of a fresh process serving vector, hybrid and full-text queries: ${probes.join("; ")}.`,
    );
  }
  await writeFile(path.join(resultsDirectory, "search-summary.md"), `${lines.join("\n")}\n`);
}

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

if (values["internal-generate"]) {
  await generateTable(JSON.parse(values["internal-generate"]));
} else if (values["internal-probe"]) {
  await runProbe(JSON.parse(values["internal-probe"]));
} else if (values["internal-build"]) {
  await runBuild(JSON.parse(values["internal-build"]));
} else if (values["summary-only"]) {
  await writeSummary(path.resolve(values["results-dir"]));
} else if (values.help) {
  process.stdout.write(
    [
      "node bench/search/run.mjs [--sizes 10000,100000,1000000] [--queries 200] [--brute-queries N]",
      "  [--brute-only] [--skip ivfFlat,ivfPq,sub=128 (index types or parts of config names)] [--only ivfRq,hnswPq,fast]",
      "  [--tag NAME (write search-<rows>-NAME.json, leaving the full run's file alone)] [--distance cosine|dot|l2] [--seed 42]",
      "  [--data-dir DIR (keep and reuse generated tables)]",
      "  [--results-dir bench/results] [--summary-only (rebuild search-summary.md from the result files)]",
      "",
    ].join("\n"),
  );
} else {
  const sizes = values.sizes.split(",").map((size) => Number.parseInt(size.trim(), 10));
  const invalid = sizes.find((size) => !Number.isInteger(size) || size < 100);
  if (invalid !== undefined)
    throw Object.assign(new Error(`--sizes: "${values.sizes}" must be whole numbers of at least 100`), {
      code: "invalid:sizes",
    });
  const queryCount = Number.parseInt(values.queries, 10);
  const resultsDirectory = path.resolve(values["results-dir"]);
  await mkdir(resultsDirectory, { recursive: true });
  if (values["data-dir"]) await mkdir(values["data-dir"], { recursive: true });
  for (const rows of sizes) {
    const suffix = `${distanceType === "cosine" ? "" : `-${distanceType}`}${values.tag ? `-${values.tag}` : ""}`;
    const fileName = values["brute-only"]
      ? `search-brute-${rows}${suffix}.json`
      : `search-${rows}${suffix}.json`;
    const save = async (result) => {
      await writeFile(path.join(resultsDirectory, fileName), `${JSON.stringify(result, null, 2)}\n`);
      await writeSummary(resultsDirectory);
    };
    const result = await benchmarkSize({
      rows,
      seed: Number.parseInt(values.seed, 10),
      queryCount,
      bruteQueryCount: Math.min(
        queryCount,
        Number.parseInt(values["brute-queries"] ?? String(queryCount), 10),
      ),
      bruteOnly: values["brute-only"],
      dataDirectory: values["data-dir"],
      skip: new Set(values.skip.split(",").filter(Boolean)),
      only: new Set(values.only.split(",").filter(Boolean)),
      tag: values.tag,
      save,
    });
    await save(result);
    log(`${rows} rows: wrote ${fileName}`);
  }
  process.stdout.write(await readFile(path.join(resultsDirectory, "search-summary.md"), "utf8"));
}
