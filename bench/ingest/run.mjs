#!/usr/bin/env node
/**
 * Ingestion throughput: parse + clean + chunk + store of a folder of documents (default: the shared corpus,
 * zh and en separately) through the real knowledge base, embedding with the stand-in Ollama in a child process.
 * Prints MB per CPU-second of the ingesting process (the per-core figure), MB/s wall, chunks/s, and the share of
 * wall time an embedding request was in flight. Run after `npm run build`:
 *
 *   node bench/ingest/run.mjs [--corpus ../shared/corpus] [--copies 4] [--repeat 3] [--out bench/results/ingest.json]
 *
 * Each figure comes from a fresh Node process, so one run does not warm the next, and is the median of `--repeat` runs:
 * - "first run": the corpus as it is, in a process that has ingested nothing yet (module loading, JIT warm-up,
 *   the jieba dictionary and the table's creation all count), with an in-process embedder that costs nothing;
 * - "steady": after a warm-up pass into another workspace, the corpus into `--copies` more workspaces, one after
 *   the other, by the now warm process. (Copies in one workspace would not do: every line would repeat across
 *   documents and be dropped as boilerplate.) Once with that free embedder — embedding excluded, the per-core
 *   figure — and once with the stand-in Ollama over HTTP, for the wall time and the share spent on embeddings.
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// LanceDB settings as the product's entry points set them, before LanceDB loads.
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: "../shared/corpus" },
    out: { type: "string", default: "bench/results/ingest.json" },
    port: { type: "string", default: "11499" },
    copies: { type: "string", default: "4" },
    repeat: { type: "string", default: "3" },
    "internal-measure": { type: "string" },
  },
});

const scriptPath = fileURLToPath(import.meta.url);

/** Starts the stand-in Ollama in its own process so its CPU time is not counted as ours. */
async function startStandIn(port) {
  const child = spawn(process.execPath, ["packages/stand-in-ollama/dist/main.js", "--port", port], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await new Promise((done, fail) => {
    child.once("error", fail);
    child.stdout.on("data", (data) => {
      if (String(data).includes("http")) done();
    });
  });
  return child;
}

/** The corpus files, read once. */
async function readCorpus(folder) {
  const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");
  const files = await collectFiles([folder]);
  return Promise.all(
    files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await readFile(file.path)) })),
  );
}

/** Parse + clean + chunk alone (no storage, no embedding), in MB per CPU-second of this process. */
async function measureCpuStages(items) {
  const { prepareDocument } = await import("@zhiku/ingest");
  const { indexTextsOf } = await import("../../packages/ingest/dist/pipeline.js");
  const { edgeLineFingerprints } = await import("../../packages/ingest/dist/clean/index.js");
  const cpu = process.cpuUsage();
  let bytes = 0;
  for (const item of items) {
    try {
      const { parsed, chunks } = await prepareDocument(item);
      edgeLineFingerprints(parsed.text);
      indexTextsOf({ parsed, chunks });
      bytes += item.bytes.byteLength;
    } catch {
      // Failures are reported by the full run.
    }
  }
  const used = process.cpuUsage(cpu);
  return Number((bytes / 1024 / 1024 / ((used.user + used.system) / 1e6)).toFixed(2));
}

/**
 * LanceDB's own share: the rows a run stored, read back as Arrow batches of the same sizes as the run's commits, are
 * written `copies` times into fresh tables with the store's full-text index and folded (`optimize`), as the store
 * does; nothing of Zhiku runs in between. In MB of the documents' text per CPU-second of this process (LanceDB's
 * threads included): the ceiling for the whole pipeline while LanceDB stores the rows.
 */
async function measureLanceAlone({ dataDir, workspace, megabytes, commits, copies }) {
  const lancedb = await import("@lancedb/lancedb");
  const { dataLayout } = await import("@zhiku/ingest");
  const { FULL_TEXT_INDEX_OPTIONS } = await import("../../packages/ingest/dist/store/chunk-store.js");
  const connection = await lancedb.connect(dataLayout(dataDir).lancedb);
  const [name] = await connection.tableNames();
  const source = await connection.openTable(name);
  const rows = await source.query().toArrow();
  const schema = await source.schema();
  const size = Math.ceil(rows.numRows / commits);
  const batches = [];
  for (let start = 0; start < rows.numRows; start += size) batches.push(rows.slice(start, start + size));
  const cpuStart = process.cpuUsage();
  for (let copy = 1; copy <= copies; copy++) {
    const table = await connection.createEmptyTable(`lance_alone_${workspace}_${copy}`, schema);
    await table.createIndex("index_words", { config: lancedb.Index.fts(FULL_TEXT_INDEX_OPTIONS) });
    for (const batch of batches) await table.add(batch);
    await table.optimize({ cleanupOlderThan: new Date(Date.now() - 15 * 60_000) });
  }
  const cpu = process.cpuUsage(cpuStart);
  connection.close();
  return Number(((megabytes * copies) / ((cpu.user + cpu.system) / 1e6)).toFixed(2));
}

/** Ingests `items` into workspace `workspace` in batches of 32, as `zhiku ingest` does, then folds the indexes. */
async function ingest(knowledgeBase, workspace, items) {
  let bytes = 0;
  let chunks = 0;
  let failed = 0;
  for (let start = 0; start < items.length; start += 32) {
    const batch = items.slice(start, start + 32).map((item) => ({ workspace, ...item }));
    const results = await knowledgeBase.ingestBatch(batch);
    results.forEach((result, position) => {
      if ("error" in result) {
        failed++;
        console.error(`  ${batch[position].name}: ${result.error.message}`);
      } else {
        bytes += batch[position].bytes.byteLength;
        chunks += result.document.chunks;
      }
    });
  }
  await knowledgeBase.optimize(workspace);
  return { bytes, chunks, failed };
}

/**
 * An embedder that costs nothing: each text gets one of 64 fixed unit vectors (1024 dimensions, as bge-m3), picked
 * by a hash of the text. With it the run is parse + clean + chunk + store and nothing else: no HTTP client, no
 * JSON of vectors, none of their garbage.
 */
function createVectorPool() {
  const dimension = 1024;
  let seed = 42;
  const random = () => {
    seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
    return seed / 2 ** 32 - 0.5;
  };
  const pool = Array.from({ length: 64 }, () => {
    const vector = Float32Array.from({ length: dimension }, random);
    const norm = Math.hypot(...vector);
    return vector.map((value) => value / norm);
  });
  const pick = (text) => {
    let hash = 0;
    for (let index = 0; index < text.length; index += 97) hash = (hash * 31 + text.charCodeAt(index)) >>> 0;
    return pool[(hash + text.length) % pool.length];
  };
  return {
    model: "bge-m3",
    dimension: async () => dimension,
    embed: async (texts) => texts.map(pick),
  };
}

/** One measurement, in this (fresh) process. */
async function measureHere({ label, folder, host, copies, warm, embedding }) {
  const { openKnowledgeBase, createOllamaEmbedder } = await import("@zhiku/ingest");
  const items = await readCorpus(folder);
  const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-bench-ingest-"));
  const inner = embedding === "none" ? createVectorPool() : createOllamaEmbedder({ host, model: "bge-m3" });
  // Wall time with at least one embedding request in flight (documents of a batch are embedded concurrently,
  // so the calls' own durations overlap and cannot simply be added up).
  let inFlight = 0;
  let inFlightSince = 0;
  let embedWaitMs = 0;
  const embedder = {
    model: inner.model,
    dimension: () => inner.dimension(),
    async embed(texts, options) {
      if (inFlight++ === 0) inFlightSince = performance.now();
      try {
        return await inner.embed(texts, options);
      } finally {
        if (--inFlight === 0) embedWaitMs += performance.now() - inFlightSince;
      }
    },
  };
  const knowledgeBase = await openKnowledgeBase({ dataDir, embedder });
  try {
    if (warm) await ingest(knowledgeBase, "warm-up", items);
    embedWaitMs = 0;
    const cpuStart = process.cpuUsage();
    const started = performance.now();
    let bytes = 0;
    let chunks = 0;
    let failed = 0;
    for (let copy = 1; copy <= copies; copy++) {
      const ingested = await ingest(knowledgeBase, `bench-${copy}`, items);
      bytes += ingested.bytes;
      chunks += ingested.chunks;
      failed += ingested.failed;
    }
    const wallMs = performance.now() - started;
    const cpu = process.cpuUsage(cpuStart);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6;
    const megabytes = bytes / 1024 / 1024;
    return {
      label,
      run: warm ? "steady" : "first run",
      embedding: embedding === "none" ? "none (fixed vectors in process)" : "stand-in Ollama over HTTP",
      files: items.length * copies,
      failed,
      megabytes: Number(megabytes.toFixed(3)),
      chunks,
      wallSeconds: Number((wallMs / 1000).toFixed(2)),
      megabytesPerSecond: Number((megabytes / (wallMs / 1000)).toFixed(2)),
      megabytesPerCpuSecond: Number((megabytes / cpuSeconds).toFixed(2)),
      chunksPerSecond: Number((chunks / (wallMs / 1000)).toFixed(1)),
      embedInFlightShare: Number((embedWaitMs / wallMs).toFixed(3)),
      parseCleanChunkMegabytesPerCpuSecond: await measureCpuStages(items),
      lanceAloneMegabytesPerCpuSecond: await measureLanceAlone({
        dataDir,
        workspace: `bench-${copies}`,
        megabytes: megabytes / copies,
        commits: Math.ceil(items.length / 32),
        copies: Math.max(copies, 2),
      }),
      loadAverage: Number(os.loadavg()[0].toFixed(1)),
    };
  } finally {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/** Runs one measurement in a fresh child process and returns its result. */
function measureInChild(options) {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-measure", JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (data) => {
      output += data;
    });
    child.once("error", fail);
    child.once("exit", (code) => {
      if (code === 0) done(JSON.parse(output.trim().split("\n").at(-1)));
      else fail(new Error(`measurement ${JSON.stringify(options)} exited with ${code}`));
    });
  });
}

if (values["internal-measure"]) {
  const result = await measureHere(JSON.parse(values["internal-measure"]));
  console.log(JSON.stringify(result));
  process.exit(0);
}

const copies = Number(values.copies);
if (!Number.isInteger(copies) || copies < 1)
  throw new Error(`--copies: "${values.copies}" is not a whole number ≥ 1`);
const repeat = Number(values.repeat);
if (!Number.isInteger(repeat) || repeat < 1)
  throw new Error(`--repeat: "${values.repeat}" is not a whole number ≥ 1`);

/** Each measurement `repeat` times, each in a fresh process; the run with the median MB per CPU-second, with all of them. */
async function measureRepeatedly(options) {
  const runs = [];
  for (let attempt = 0; attempt < repeat; attempt++) runs.push(await measureInChild(options));
  runs.sort((first, second) => first.megabytesPerCpuSecond - second.megabytesPerCpuSecond);
  return {
    ...runs[Math.floor((runs.length - 1) / 2)],
    megabytesPerCpuSecondOfEachRun: runs.map((run) => run.megabytesPerCpuSecond),
  };
}
const child = await startStandIn(values.port);
try {
  const host = `http://127.0.0.1:${values.port}`;
  const corpus = resolve(values.corpus);
  const results = [];
  for (const language of ["zh", "en"]) {
    const folder = join(corpus, language);
    for (const run of [
      { copies: 1, warm: false, embedding: "none" },
      { copies, warm: true, embedding: "none" },
      { copies, warm: true },
    ]) {
      const result = await measureRepeatedly({ label: language, folder, host, ...run });
      results.push(result);
      console.log(
        `${language} (${result.run}, embedding: ${result.embedding}): ${result.files} files, ${result.megabytes} MB, ` +
          `${result.chunks} chunks in ${result.wallSeconds}s — ${result.megabytesPerCpuSecond} MB per CPU-second ` +
          `(median of ${result.megabytesPerCpuSecondOfEachRun.join(", ")}), ` +
          `${result.megabytesPerSecond} MB/s wall, ${result.chunksPerSecond} chunks/s; an embedding request in flight ` +
          `${(result.embedInFlightShare * 100).toFixed(0)}% of the time; parse + clean + chunk alone ` +
          `${result.parseCleanChunkMegabytesPerCpuSecond} MB per CPU-second; LanceDB alone (write + full-text index of the ` +
          `same rows) ${result.lanceAloneMegabytesPerCpuSecond} MB per CPU-second; load ${result.loadAverage}`,
      );
    }
  }
  const report = {
    date: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      model: os.cpus()[0]?.model,
      memoryGb: Math.round(os.totalmem() / 2 ** 30),
      node: process.version,
    },
    target: "at least 5 MB of text per second per core, embedding excluded",
    perCoreFigure:
      "megabytesPerCpuSecond of the runs without an embedder: every thread of the ingesting process, nothing but parse + clean + chunk + store",
    results,
  };
  await mkdir(resolve(values.out, ".."), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${values.out}`);
} finally {
  child.kill();
}
