/** Benchmarks one table size: brute force, full text, hybrid, then each vector index configuration. */
import "./lance-env.mjs";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { lancedb, lancedbVersion } from "../lancedb.mjs";
import { buildInChild, generateInChild, probeInChild } from "./child-processes.mjs";
import { chooseParameters, indexConfigurations, isSelected } from "./index-configurations.mjs";
import { fullTextSearch, hybridSearch, measure, megabytes, recallAt10, vectorSearch } from "./measure.mjs";
import { createQueries, dimension, tableName, wordsColumn } from "./synthetic-data.mjs";

/** Full-text index options: the store's own (words are already cut apart, so whitespace splits them). */
const { FULL_TEXT_INDEX_OPTIONS: fullTextOptions } = await import(
  "../../packages/ingest/dist/store/chunk-store.js"
);
/** How the full-text side is described in the summary (result files before it was recorded used n-grams). */
const fullTextLabel = "whitespace over words";

/** @param {string} message */
export function log(message) {
  process.stderr.write(`[${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/**
 * Benchmarks one table size and returns the result record.
 * @param {{ rows: number, distanceType: "cosine" | "dot" | "l2", seed: number, queryCount: number, bruteQueryCount: number, bruteOnly: boolean, dataDirectory?: string, skip: Set<string>, only: Set<string>, tag?: string, save: (result: object) => Promise<void> }} options
 */
export async function benchmarkSize({
  rows,
  distanceType,
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
    lancedb: lancedbVersion,
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
      run: vectorSearch(table, { brute: true }, distanceType),
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
      run: hybridSearch(table, reranker, { brute: true }, distanceType),
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
        const measured = await measure({ queries, run: vectorSearch(table, parameters, distanceType) });
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
          run: hybridSearch(table, reranker, chosen.parameters, distanceType),
        });
        record.hybrid = hybrid;
        record.probe = await probeInChild({
          directory,
          rows,
          seed,
          queries: Math.min(200, queryCount),
          parameters: chosen.parameters,
          distanceType,
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
