/** Deterministic synthetic chunks for the search benchmark: clustered unit vectors and mixed Chinese/English text. */
import "./lance-env.mjs";
import { arrow, lancedb } from "../lancedb.mjs";

/** Length of every vector. */
export const dimension = 1024;
const topicCount = 200;
const directionsPerTopic = 32;
const topicSpread = 0.8;
const isotropicNoise = 0.1;
const batchRows = 50_000;
/** Name of the benchmark's table. */
export const tableName = "chunks";
/** Column of space-separated words the full-text index is built on (the store's `index_words`). */
export const wordsColumn = "words";

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
export async function generateTable({ directory, rows, seed }) {
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
export function createQueries({ rows, seed, querySeed, count }) {
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
