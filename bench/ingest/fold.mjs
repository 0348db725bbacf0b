#!/usr/bin/env node
/**
 * What folding new chunks into a workspace's indexes costs as the workspace grows. The chunks of the zh corpus are
 * appended to one table through the product's chunk store, one corpus pass (~2,150 chunks) at a time, and after each
 * pass the store folds them in (`maintain` with force: what the CLI does at the end of a run and the server when its
 * queue goes idle). Prints the CPU and wall time of each fold against the table's size, and at a few sizes the median
 * full-text query time with the new rows not yet folded in and once they are. Run after `npm run build`:
 *
 *   node bench/ingest/fold.mjs [--corpus ../shared/corpus/zh] [--passes 24] [--no-vector-index] [--out bench/results/fold.json]
 *
 * `--no-vector-index` leaves the table without its ANN index (the store builds one from 3,000 rows), to see the index's
 * share of the fold.
 *
 * LanceDB 0.31's `optimize` compacts every fragment under a million rows into one, so each fold rewrites the whole
 * table (vectors included) and merges its full-text index: the cost follows the table, not the new rows. Its
 * JavaScript API has no compaction options to bound that (lancedb/lancedb#2131, #2325).
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: "../shared/corpus/zh" },
    passes: { type: "string", default: "24" },
    out: { type: "string", default: "bench/results/fold.json" },
    "no-vector-index": { type: "boolean", default: false },
  },
});
const passes = Number(values.passes);
if (!Number.isInteger(passes) || passes < 1)
  throw new Error(`--passes: "${values.passes}" is not a whole number ≥ 1`);

const { prepareDocument } = await import("@zhiku/ingest");
const { indexTextsOf } = await import("../../packages/ingest/dist/pipeline/index-text-step.js");
const { openChunkStore } = await import("../../packages/ingest/dist/store/chunk-store.js");
const { storedChunkOf } = await import("../../packages/ingest/dist/store/chunk-rows.js");
const { createChunkSearch } = await import("../../packages/ingest/dist/search/chunk-search.js");
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");

// One pass: every chunk of the corpus with its index text and a random unit vector of bge-m3's size (seeded, so runs
// compare), spread enough for the vector index's partitions to be used as real embeddings would use them.
const dimension = 1024;
let seed = 42;
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};
const randomUnitVector = () => {
  const vector = Float32Array.from({ length: dimension }, random);
  const norm = Math.hypot(...vector);
  return vector.map((value) => value / norm);
};
const pass = [];
for (const file of await collectFiles([resolve(values.corpus)])) {
  try {
    const { parsed, chunks } = await prepareDocument({
      bytes: new Uint8Array(await readFile(file.path)),
      name: file.name,
    });
    const indexTexts = indexTextsOf({ parsed, chunks });
    chunks.forEach((chunk, position) => {
      pass.push({ chunk, indexText: indexTexts[position], name: file.name, vector: randomUnitVector() });
    });
  } catch {
    // A file the pipeline refuses is left out, as ingestion would.
  }
}

const directory = await mkdtemp(join(os.tmpdir(), "zhiku-bench-fold-"));
const store = await openChunkStore({
  directory,
  ...(values["no-vector-index"] ? { vectorIndex: { threshold: Number.POSITIVE_INFINITY } } : {}),
});
const chunkSearch = createChunkSearch({ store });
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
/** Full-text queries on terms of the zh corpus, Chinese and English. */
const queries = [
  "消息队列 顺序",
  "分布式锁",
  "缓存穿透 布隆过滤器",
  "Redis 持久化",
  "线程池 拒绝策略",
  "Dubbo SPI",
];
/** Median full-text query time, in ms, over three rounds of {@link queries}. */
async function fullTextMedianMs() {
  const times = [];
  for (let round = 0; round < 3; round++) {
    for (const query of queries) {
      const started = performance.now();
      await chunkSearch.search("chunks", { mode: "fulltext", query, limit: 10 });
      times.push(performance.now() - started);
    }
  }
  times.sort((first, second) => first - second);
  return Number(times[Math.floor(times.length / 2)].toFixed(1));
}
/** Passes after which search is timed with the new rows not yet folded in, and again once they are. */
const timedPasses = new Set([2, 5, 12, 24]);
const folds = [];
try {
  await store.ensureTable("chunks", dimension);
  for (let round = 1; round <= passes; round++) {
    await store.appendChunks(
      "chunks",
      pass.map(({ chunk, indexText, name, vector }) =>
        storedChunkOf(chunk, {
          chunkId: `${round}:${name}:${chunk.index}`,
          documentId: `${round}:${name}`,
          indexText,
          vector,
        }),
      ),
    );
    const timed = timedPasses.has(round);
    const unfoldedQueryMs = timed ? await fullTextMedianMs() : undefined;
    const cpuStart = cpuMs();
    const started = performance.now();
    const report = await store.maintain("chunks", { force: true });
    const fold = {
      rows: report.rows,
      newRows: pass.length,
      cpuMs: Math.round(cpuMs() - cpuStart),
      wallMs: Math.round(performance.now() - started),
      unfoldedQueryMs,
      foldedQueryMs: timed ? await fullTextMedianMs() : undefined,
    };
    folds.push(fold);
    console.log(
      `${fold.rows} rows: folding ${fold.newRows} new ones took ${fold.cpuMs} ms of CPU, ${fold.wallMs} ms wall` +
        (timed
          ? `; full-text query p50 ${fold.unfoldedQueryMs} ms before the fold, ${fold.foldedQueryMs} ms after`
          : ""),
    );
  }
} finally {
  store.close();
  await rm(directory, { recursive: true, force: true });
}
await mkdir(resolve(values.out, ".."), { recursive: true });
await writeFile(
  values.out,
  `${JSON.stringify({ date: new Date().toISOString(), vectorIndex: !values["no-vector-index"], machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, folds }, null, 2)}\n`,
);
console.log(`wrote ${values.out}`);
