/** Timing, recall and memory helpers of the search benchmark, and the three kinds of search it times. */
import { readFile } from "node:fs/promises";
import { wordsColumn } from "./synthetic-data.mjs";

/**
 * @param {number[]} sorted ascending
 * @param {number} fraction
 */
export function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const position = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[position];
}

/**
 * Runs `run` for each query (after a few warm-up calls) and returns latency percentiles
 * in milliseconds plus each query's result ids.
 * @param {{ queries: { vector: number[], text: string }[], run: (query: { vector: number[], text: string }) => Promise<{ id: number }[]>, warmup?: number }} options
 */
export async function measure({ queries, run, warmup = 5 }) {
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
export function recallAt10(found, exact) {
  let total = 0;
  for (let index = 0; index < exact.length; index += 1) {
    const expected = new Set(exact[index].slice(0, 10));
    const hits = found[index].slice(0, 10).filter((id) => expected.has(id)).length;
    total += hits / Math.max(1, expected.size);
  }
  return Math.round((total / exact.length) * 1000) / 1000;
}

/** Bytes as whole megabytes. */
export const megabytes = (bytes) => Math.round(bytes / 1024 / 1024);

/** This process's peak resident memory (Linux `VmHWM`), or null where /proc is missing. */
export async function peakRssMegabytes() {
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
 * @param {"cosine" | "dot" | "l2"} distanceType
 */
export function vectorSearch(table, parameters, distanceType) {
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
 * @param {"cosine" | "dot" | "l2"} distanceType
 */
export function hybridSearch(table, reranker, parameters, distanceType) {
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
export function fullTextSearch(table) {
  return (query) =>
    table
      .query()
      .fullTextSearch(query.text, { columns: [wordsColumn] })
      .select(["id", "_score"])
      .limit(10)
      .toArray();
}
