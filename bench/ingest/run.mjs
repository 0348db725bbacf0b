#!/usr/bin/env node
/**
 * Ingestion throughput: parse + clean + chunk + store of a folder of documents (default: the shared corpus,
 * zh and en separately) through the real knowledge base, embedding with the stand-in Ollama in a child process.
 * Prints MB/s (wall and per CPU-second of this process, embedding wait excluded), chunks/s, and the share of
 * wall time spent waiting on embeddings. Run after `npm run build`:
 *
 *   node bench/ingest/run.mjs [--corpus ../shared/corpus] [--out bench/results/ingest.json]
 */
import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";

process.env.LANCE_CPU_THREADS ??= String(os.availableParallelism());

const { values } = parseArgs({
  options: {
    corpus: { type: "string", default: "../shared/corpus" },
    out: { type: "string", default: "bench/results/ingest.json" },
    port: { type: "string", default: "11499" },
  },
});

const { openKnowledgeBase, createOllamaEmbedder, prepareDocument } = await import("@zhiku/ingest");
const { documentFingerprints, indexTextOf } = await import("../../packages/ingest/dist/pipeline.js");
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");

/** Starts the stand-in Ollama in its own process so its CPU time is not counted as ours. */
async function startStandIn(port) {
  const child = spawn(process.execPath, ["packages/ingest/dist/stand-in-ollama/main.js", "--port", port], {
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

/** Parse + clean + chunk alone (no storage, no embedding), in MB per CPU-second of this process. */
async function measureCpuStages(files) {
  const contents = await Promise.all(
    files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await readFile(file.path)) })),
  );
  const cpu = process.cpuUsage();
  let bytes = 0;
  for (const content of contents) {
    try {
      const { parsed, chunks } = await prepareDocument(content);
      documentFingerprints(parsed.text);
      for (const chunk of chunks) indexTextOf({ chunk, title: parsed.title });
      bytes += content.bytes.byteLength;
    } catch {
      // Failures are reported by the full run.
    }
  }
  const used = process.cpuUsage(cpu);
  return Number((bytes / 1024 / 1024 / ((used.user + used.system) / 1e6)).toFixed(2));
}

async function measure(label, folder, host) {
  const files = await collectFiles([folder]);
  const parseCleanChunkMegabytesPerCpuSecond = await measureCpuStages(files);
  const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-bench-ingest-"));
  const inner = createOllamaEmbedder({ host, model: "bge-m3" });
  let embedMs = 0;
  let embedCpuMicros = 0;
  const embedder = {
    model: inner.model,
    dimension: () => inner.dimension(),
    async embed(texts, options) {
      const started = performance.now();
      const cpu = process.cpuUsage();
      try {
        return await inner.embed(texts, options);
      } finally {
        embedMs += performance.now() - started;
        const used = process.cpuUsage(cpu);
        embedCpuMicros += used.user + used.system;
      }
    },
  };
  const knowledgeBase = await openKnowledgeBase({ dataDir, embedder });
  let bytes = 0;
  let chunks = 0;
  let failed = 0;
  const cpuStart = process.cpuUsage();
  const started = performance.now();
  // Batches of 32 files, as `zhiku ingest` stores them.
  for (let start = 0; start < files.length; start += 32) {
    const batch = files.slice(start, start + 32);
    const items = [];
    for (const file of batch)
      items.push({ workspace: "bench", name: file.name, bytes: new Uint8Array(await readFile(file.path)) });
    const results = await knowledgeBase.ingestBatch(items);
    results.forEach((result, position) => {
      if ("error" in result) {
        failed++;
        console.error(`  ${items[position].name}: ${result.error.message}`);
      } else {
        bytes += items[position].bytes.byteLength;
        chunks += result.document.chunks;
      }
    });
  }
  await knowledgeBase.optimize("bench");
  const wallMs = performance.now() - started;
  const cpu = process.cpuUsage(cpuStart);
  const cpuSeconds = (cpu.user + cpu.system - embedCpuMicros) / 1e6;
  await knowledgeBase.close();
  await rm(dataDir, { recursive: true, force: true });
  const megabytes = bytes / 1024 / 1024;
  const withoutEmbedSeconds = (wallMs - embedMs) / 1000;
  return {
    label,
    files: files.length,
    failed,
    megabytes: Number(megabytes.toFixed(3)),
    chunks,
    wallSeconds: Number((wallMs / 1000).toFixed(2)),
    embedWaitShare: Number((embedMs / wallMs).toFixed(3)),
    megabytesPerSecondExcludingEmbedding: Number((megabytes / withoutEmbedSeconds).toFixed(2)),
    megabytesPerCpuSecondExcludingEmbedding: Number((megabytes / cpuSeconds).toFixed(2)),
    chunksPerSecond: Number((chunks / (wallMs / 1000)).toFixed(1)),
    parseCleanChunkMegabytesPerCpuSecond,
  };
}

const child = await startStandIn(values.port);
try {
  const host = `http://127.0.0.1:${values.port}`;
  const corpus = resolve(values.corpus);
  const results = [];
  for (const language of ["zh", "en"]) {
    const result = await measure(language, join(corpus, language), host);
    results.push(result);
    console.log(
      `${language}: ${result.files} files, ${result.megabytes} MB, ${result.chunks} chunks in ${result.wallSeconds}s — ` +
        `${result.megabytesPerSecondExcludingEmbedding} MB/s wall and ${result.megabytesPerCpuSecondExcludingEmbedding} MB per CPU-second ` +
        `excluding embedding; ${result.chunksPerSecond} chunks/s; embedding wait ${(result.embedWaitShare * 100).toFixed(0)}% of wall time; ` +
        `parse + clean + chunk alone ${result.parseCleanChunkMegabytesPerCpuSecond} MB per CPU-second`,
    );
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
    results,
  };
  await mkdir(resolve(values.out, ".."), { recursive: true });
  await writeFile(values.out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`wrote ${values.out}`);
} finally {
  child.kill();
}
