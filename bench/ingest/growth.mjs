#!/usr/bin/env node
/**
 * Ingestion and search as ONE workspace grows (issue 19): at each size (default 10k, 100k and 1M chunks) a fixed
 * batch of about 1 MB of new Chinese text is ingested into the workspace's table through the product's store, and
 * the CPU it took per MB is measured, split into preparing the chunks (parse + clean + chunk + index text), writing
 * them (commits of 32 files, `maintain` after each as the document writer does) and the fold the CLI forces at the
 * end (`maintain` with force: the current policy). Hybrid, full-text and vector search p50/p95 over ~50 queries are
 * measured with the batch's rows not yet folded in and once they are. Then, for issue 19 item 1, unfolded tails of
 * growing size (default 1k, 10k and 50k rows) are appended and searched before one fold takes them all in, to see
 * whether a fold "when the tail reaches a fraction of the table" could leave the tail to LanceDB's exact scan
 * (at the sizes of `--tail-at`, with the first `--tail-queries` queries: an unfolded full-text query is slow).
 * Figures are printed as ratios to the first size. Run after `npm run build`:
 *
 *   node bench/ingest/growth.mjs [--corpus ../shared/corpus/zh] [--sizes 10000,100000,1000000] [--batch-mb 1]
 *     [--queries 50] [--tails 1000,10000,50000] [--tail-at 100000] [--tail-queries 20] [--out bench/results/growth.json]
 *
 * Between sizes the table is grown in bulk (large appends, then one forced fold); that is not measured. The base's
 * rows are the zh corpus's chunks, index text and full-text words as ingestion makes them, repeated with new ids.
 * Every vector (rows and queries) is a seeded random unit vector of bge-m3's 1024 dimensions: SYNTHETIC, no model
 * runs, so the figures leave out embedding and the vector search's recall means nothing here, only its cost.
 * Once folded, the two clauses of the full-text query (words, character pairs) are timed alone too, and as LanceDB's
 * BooleanQuery of the two, beside the product's search (which searches them apart and sums), and the slowest listed. CPU is `process.cpuUsage()`: the whole process, LanceDB's native threads included. SQLite (document rows,
 * fingerprints) is not in the measured path: its cost does not depend on the LanceDB table's size.
 * The results are written after every size, so a run stopped early keeps what it measured.
 */
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

// LanceDB settings as the product's entry points set them, before LanceDB loads (full-text builds hang without).
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: "../shared/corpus/zh" },
    sizes: { type: "string", default: "10000,100000,1000000" },
    "batch-mb": { type: "string", default: "1" },
    queries: { type: "string", default: "50" },
    tails: { type: "string", default: "1000,10000,50000" },
    "tail-at": { type: "string", default: "100000" },
    "tail-queries": { type: "string", default: "20" },
    out: { type: "string", default: "bench/results/growth.json" },
  },
});
/** A comma-separated list of whole numbers ≥ 1 from option `name` (empty allowed for `--tails`). */
function wholeNumbers(name) {
  const text = values[name].trim();
  if (text === "") return [];
  return text.split(",").map((part) => {
    const number = Number(part);
    if (!Number.isInteger(number) || number < 1)
      throw new Error(`--${name}: "${part}" is not a whole number ≥ 1`);
    return number;
  });
}
const sizes = wholeNumbers("sizes").sort((a, b) => a - b);
const tails = wholeNumbers("tails").sort((a, b) => a - b);
const tailAt = new Set(wholeNumbers("tail-at"));
const tailQueryCount = wholeNumbers("tail-queries")[0] ?? 20;
const batchMb = Number(values["batch-mb"]);
if (!(batchMb > 0)) throw new Error(`--batch-mb: "${values["batch-mb"]}" is not a positive number`);
const queryCount = Number(values.queries);
if (!Number.isInteger(queryCount) || queryCount < 1)
  throw new Error(`--queries: "${values.queries}" is not a whole number ≥ 1`);

const { prepareDocument } = await import("@zhiku/ingest");
const { indexTextsOf } = await import("../../packages/ingest/dist/pipeline/index-text-step.js");
const { openChunkStore } = await import("../../packages/ingest/dist/store/chunk-store.js");
const { createChunkSearch } = await import("../../packages/ingest/dist/search/chunk-search.js");
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");
const { percentile } = await import("../search/measure.mjs");
const { lancedb } = await import("../lancedb.mjs");
const { queryTerms } = await import("../../packages/ingest/dist/clean/segment-words.js");
const { FULL_TEXT_COLUMN, storedChunkOf } = await import("../../packages/ingest/dist/store/chunk-rows.js");
const { fullTextClauses } = await import("../../packages/ingest/dist/clean/full-text-query.js");

const dimension = 1024;
let seed = 19;
/** A seeded LCG in [-0.5, 0.5): cheap enough to make a million vectors. */
const random = () => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32 - 0.5;
};
/** A synthetic embedding: a seeded random unit vector (see the header). */
const randomUnitVector = () => {
  const vector = new Float32Array(dimension);
  let sum = 0;
  for (let index = 0; index < dimension; index++) {
    vector[index] = random();
    sum += vector[index] * vector[index];
  }
  const scale = 1 / Math.sqrt(sum);
  for (let index = 0; index < dimension; index++) vector[index] *= scale;
  return vector;
};
const cpuMs = () => {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
};
const round = (value, digits = 1) => Number(value.toFixed(digits));

// The corpus once: its files (for the measured batch) and its chunks (to grow the base).
const files = [];
const pass = [];
for (const file of await collectFiles([resolve(values.corpus)])) {
  const bytes = new Uint8Array(await readFile(file.path));
  try {
    const { parsed, chunks } = await prepareDocument({ bytes, name: file.name });
    const indexTexts = indexTextsOf({ parsed, chunks });
    files.push({ name: file.name, bytes });
    chunks.forEach((chunk, position) => {
      pass.push({ chunk, indexText: indexTexts[position], name: file.name });
    });
  } catch {
    // A file the pipeline refuses is left out, as ingestion would.
  }
}
if (pass.length === 0) throw new Error(`--corpus: no file of ${values.corpus} gave any chunk`);
// The measured batch: corpus files in a fixed order until they hold `batchMb` MB.
const batchFiles = [];
let batchBytes = 0;
for (const file of files) {
  if (batchBytes >= batchMb * 1024 * 1024) break;
  batchFiles.push(file);
  batchBytes += file.bytes.byteLength;
}
const batchMegabytes = batchBytes / 1024 / 1024;
// Queries: the last heading of chunks spread over the corpus (real terms of its text), each with a synthetic vector.
const headings = [...new Set(pass.map(({ chunk }) => chunk.headings.at(-1)).filter(Boolean))];
const queries = Array.from({ length: Math.min(queryCount, headings.length) }, (_, position) => ({
  text: headings[Math.floor((position * headings.length) / Math.min(queryCount, headings.length))],
  vector: Array.from(randomUnitVector()),
}));

let nextId = 0;
/** `count` base rows: corpus chunks in turn, each with a new id and its own synthetic vector. */
function baseRows(count) {
  return Array.from({ length: count }, () => {
    const id = nextId++;
    const { chunk, indexText, name } = pass[id % pass.length];
    return storedChunkOf(chunk, {
      chunkId: `base-${id}`,
      documentId: `base-${Math.floor(id / pass.length)}:${name}`,
      indexText,
      vector: randomUnitVector(),
    });
  });
}

const directory = await mkdtemp(join(os.tmpdir(), "zhiku-bench-growth-"));
const store = await openChunkStore({ directory });
const chunkSearch = createChunkSearch({ store });
const table = "chunks";

/**
 * p50/p95 (ms) of each search mode over the first `count` queries, after 5 warm-up queries, and each query's
 * top-10 ids.
 */
async function searchFigures(count = queries.length) {
  const figures = {};
  for (const mode of ["hybrid", "fulltext", "vector"]) {
    const run = (query) =>
      chunkSearch.search(table, { mode, query: query.text, vector: query.vector, limit: 10 });
    for (const query of queries.slice(0, 5)) await run(query);
    const latencies = [];
    const ids = [];
    for (const query of queries.slice(0, count)) {
      const started = performance.now();
      const hits = await run(query);
      latencies.push(performance.now() - started);
      ids.push(hits.map((hit) => hit.chunkId));
    }
    latencies.sort((a, b) => a - b);
    figures[mode] = {
      p50Ms: round(percentile(latencies, 0.5)),
      p95Ms: round(percentile(latencies, 0.95)),
      ids,
    };
  }
  return figures;
}
/**
 * Where full-text time goes once folded: p50/p95 of the query's words alone and of its character pairs alone (the
 * two clauses the store searches apart and sums), of LanceDB's `BooleanQuery` of the two (what the store sent before
 * it searched them apart), with the share of the BooleanQuery's top 10 the product's search finds (ties between the
 * base's repeated copies blur it), and the slowest product queries with their term counts.
 */
async function fullTextClauseTimes() {
  const connection = await lancedb.connect(directory);
  const raw = await connection.openTable(table);
  const times = { words: [], pairs: [], product: [], booleanQuery: [] };
  let agreementTotal = 0;
  const whole = [];
  for (const query of queries) {
    const clauses = fullTextClauses(query.text, FULL_TEXT_COLUMN);
    const { words, pairs } = queryTerms(query.text);
    for (const [name, clause] of [
      ["words", words && clauses[0]],
      ["pairs", pairs && clauses.at(-1)],
    ]) {
      if (!clause) continue;
      const started = performance.now();
      await store.fullTextSearch(table, [clause], { limit: 10 });
      times[name].push(performance.now() - started);
    }
    let started = performance.now();
    const hits = await chunkSearch.search(table, { mode: "fulltext", query: query.text, limit: 10 });
    const productMs = performance.now() - started;
    times.product.push(productMs);
    whole.push({
      query: query.text,
      ms: round(productMs),
      words: words ? words.split(" ").length : 0,
      pairs: pairs ? pairs.split(" ").length : 0,
    });
    if (clauses.length === 0) continue;
    started = performance.now();
    const booleanRows = await raw
      .query()
      .fullTextSearch(new lancedb.BooleanQuery(clauses.map((clause) => [lancedb.Occur.Should, clause])))
      .select(["chunk_id", "_score"])
      .limit(10)
      .toArray();
    times.booleanQuery.push(performance.now() - started);
    const expected = new Set(booleanRows.map((row) => row.chunk_id));
    agreementTotal += hits.filter((hit) => expected.has(hit.chunkId)).length / Math.max(1, expected.size);
  }
  connection.close();
  const figures = Object.fromEntries(
    Object.entries(times).map(([name, latencies]) => {
      latencies.sort((a, b) => a - b);
      return [
        name,
        {
          queries: latencies.length,
          p50Ms: round(percentile(latencies, 0.5)),
          p95Ms: round(percentile(latencies, 0.95)),
        },
      ];
    }),
  );
  return {
    ...figures,
    productTop10InBooleanQuery: round(agreementTotal / Math.max(1, times.booleanQuery.length), 3),
    slowest: whole.sort((a, b) => b.ms - a.ms).slice(0, 5),
  };
}
/** Mean share of the top 10 of `after` also in `before`: how far unfolded rows moved the ranking. */
function agreement(before, after) {
  let total = 0;
  for (let index = 0; index < after.length; index++) {
    const expected = new Set(after[index]);
    total += before[index].filter((id) => expected.has(id)).length / Math.max(1, expected.size);
  }
  return round(total / Math.max(1, after.length), 3);
}
const withoutIds = (figures) =>
  Object.fromEntries(Object.entries(figures).map(([mode, { ids: _ids, ...rest }]) => [mode, rest]));

/** Grows the table to `rows` in commits of 25,000 rows, then folds once. Not measured as ingestion. */
async function growTo(rows) {
  const started = performance.now();
  const cpuStart = cpuMs();
  let current = await store.countRows(table);
  while (current < rows) {
    const count = Math.min(25_000, rows - current);
    await store.appendChunks(table, baseRows(count));
    current += count;
  }
  const report = await store.maintain(table, { force: true });
  return {
    rows: current,
    cpuS: round((cpuMs() - cpuStart) / 1000),
    wallS: round((performance.now() - started) / 1000),
    vectorIndexCreated: report.vectorIndexCreated,
  };
}

let batchNumber = 0;
/** Ingests the measured batch as the CLI does: prepare, commits of 32 files with `maintain`, a forced fold. */
async function ingestBatch() {
  batchNumber += 1;
  const documents = [];
  const prepareStart = cpuMs();
  for (const file of batchFiles) {
    const { parsed, chunks } = await prepareDocument({ bytes: file.bytes, name: file.name });
    documents.push({ name: file.name, chunks, indexTexts: indexTextsOf({ parsed, chunks }) });
  }
  const prepareCpu = cpuMs() - prepareStart;
  // Embedding is excluded: the synthetic vectors are made outside the measured CPU.
  const commits = [];
  for (let first = 0; first < documents.length; first += 32) {
    commits.push(
      documents.slice(first, first + 32).flatMap(({ name, chunks, indexTexts }) =>
        chunks.map((chunk, position) =>
          storedChunkOf(chunk, {
            chunkId: `batch-${batchNumber}:${name}:${chunk.index}`,
            documentId: `batch-${batchNumber}:${name}`,
            indexText: indexTexts[position],
            vector: randomUnitVector(),
          }),
        ),
      ),
    );
  }
  const writeStart = cpuMs();
  const writeWall = performance.now();
  for (const rows of commits) {
    await store.appendChunks(table, rows);
    await store.maintain(table);
  }
  const writeCpu = cpuMs() - writeStart;
  const writeWallMs = performance.now() - writeWall;
  const unfolded = await searchFigures();
  const foldStart = cpuMs();
  const foldWall = performance.now();
  const report = await store.maintain(table, { force: true });
  const foldCpu = cpuMs() - foldStart;
  const foldWallMs = performance.now() - foldWall;
  const folded = await searchFigures();
  const fullTextFolded = await fullTextClauseTimes();
  const newRows = commits.reduce((sum, rows) => sum + rows.length, 0);
  return {
    rowsAfter: report.rows,
    newRows,
    megabytes: round(batchMegabytes, 3),
    cpuMsPerMb: {
      total: Math.round((prepareCpu + writeCpu + foldCpu) / batchMegabytes),
      prepare: Math.round(prepareCpu / batchMegabytes),
      write: Math.round(writeCpu / batchMegabytes),
      fold: Math.round(foldCpu / batchMegabytes),
    },
    foldWallMs: Math.round(foldWallMs),
    writeWallMs: Math.round(writeWallMs),
    foldCpuUsPerRowHeld: round((foldCpu * 1000) / report.rows),
    vectorIndexCreated: report.vectorIndexCreated,
    searchUnfolded: withoutIds(unfolded),
    searchFolded: withoutIds(folded),
    fullTextFolded,
    fullTextTop10AgreementUnfolded: agreement(unfolded.fulltext.ids, folded.fulltext.ids),
    hybridTop10AgreementUnfolded: agreement(unfolded.hybrid.ids, folded.hybrid.ids),
  };
}

/** Unfolded tails of `tails` rows (those ≤ the table's rows) searched in turn, then folded in by one fold. */
async function measureTails(tableRows) {
  const measured = [];
  let appended = 0;
  for (const tail of tails.filter((rows) => rows <= tableRows)) {
    while (appended < tail) {
      const count = Math.min(25_000, tail - appended);
      await store.appendChunks(table, baseRows(count));
      appended += count;
    }
    const search = withoutIds(await searchFigures(tailQueryCount));
    measured.push({ tailRows: tail, search });
    console.log(
      `  tail of ${tail} unfolded rows: p95 hybrid ${search.hybrid.p95Ms} / full text ${search.fulltext.p95Ms} / vector ${search.vector.p95Ms} ms`,
    );
  }
  if (appended === 0) return { tails: measured };
  const foldStart = cpuMs();
  const foldWall = performance.now();
  const report = await store.maintain(table, { force: true });
  const fold = {
    rowsAfter: report.rows,
    newRows: appended,
    cpuMs: Math.round(cpuMs() - foldStart),
    wallMs: Math.round(performance.now() - foldWall),
    vectorIndexCreated: report.vectorIndexCreated,
  };
  console.log(
    `  folding that ${appended}-row tail into ${report.rows} rows: ${fold.cpuMs} ms CPU, ${fold.wallMs} ms wall`,
  );
  return { tails: measured, fold };
}

const results = {
  date: new Date().toISOString(),
  vectors: "synthetic: seeded random unit vectors, 1024 dimensions; no embedding model",
  corpus: {
    chunksPerPass: pass.length,
    batchFiles: batchFiles.length,
    batchMegabytes: round(batchMegabytes, 3),
  },
  queries: queries.length,
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    node: process.version,
    loadAverageAtStart: os.loadavg().map((value) => round(value, 2)),
  },
  sizes: [],
};
const write = async () => {
  await mkdir(resolve(values.out, ".."), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(results, null, 2)}\n`);
};
console.log(
  `batch: ${batchFiles.length} files, ${round(batchMegabytes, 2)} MB; base rows from ${pass.length} corpus chunks; ${queries.length} queries; vectors synthetic`,
);
try {
  await store.ensureTable(table, dimension);
  for (const size of sizes) {
    const base = await growTo(size);
    console.log(`grew to ${base.rows} rows (${base.cpuS} CPU-s, ${base.wallS} s wall; not measured)`);
    const batch = await ingestBatch();
    const { hybrid, fulltext, vector } = batch.searchUnfolded;
    console.log(
      `${size}: ${batch.newRows} new rows, ${batch.cpuMsPerMb.total} CPU-ms/MB (prepare ${batch.cpuMsPerMb.prepare}, write ${batch.cpuMsPerMb.write}, fold ${batch.cpuMsPerMb.fold}); ` +
        `p95 unfolded hybrid ${hybrid.p95Ms} / full text ${fulltext.p95Ms} / vector ${vector.p95Ms} ms, ` +
        `folded ${batch.searchFolded.hybrid.p95Ms} / ${batch.searchFolded.fulltext.p95Ms} / ${batch.searchFolded.vector.p95Ms} ms`,
    );
    const tailFigures = tailAt.has(size) ? await measureTails(size) : {};
    results.sizes.push({
      size,
      base,
      batch,
      ...tailFigures,
      loadAverage: os.loadavg().map((value) => round(value, 2)),
    });
    await write();
  }
} finally {
  store.close();
  await rm(directory, { recursive: true, force: true });
}

// Ratios to the first size.
const first = results.sizes[0];
if (first) {
  const ratio = (value, reference) => round(value / reference, 2);
  console.log(`\nratios to ${first.size} rows:`);
  for (const entry of results.sizes) {
    const { batch } = entry;
    entry.ratios = {
      cpuPerMb: ratio(batch.cpuMsPerMb.total, first.batch.cpuMsPerMb.total),
      foldCpuPerMb: ratio(batch.cpuMsPerMb.fold, first.batch.cpuMsPerMb.fold),
      hybridP95Folded: ratio(batch.searchFolded.hybrid.p95Ms, first.batch.searchFolded.hybrid.p95Ms),
      hybridP95Unfolded: ratio(batch.searchUnfolded.hybrid.p95Ms, first.batch.searchUnfolded.hybrid.p95Ms),
      fullTextP95Folded: ratio(batch.searchFolded.fulltext.p95Ms, first.batch.searchFolded.fulltext.p95Ms),
      vectorP95Folded: ratio(batch.searchFolded.vector.p95Ms, first.batch.searchFolded.vector.p95Ms),
    };
    console.log(
      `${entry.size}: CPU/MB ×${entry.ratios.cpuPerMb} (fold ×${entry.ratios.foldCpuPerMb}), hybrid p95 folded ×${entry.ratios.hybridP95Folded} unfolded ×${entry.ratios.hybridP95Unfolded}, full text ×${entry.ratios.fullTextP95Folded}, vector ×${entry.ratios.vectorP95Folded}`,
    );
  }
  await write();
}
console.log(`wrote ${values.out}`);
