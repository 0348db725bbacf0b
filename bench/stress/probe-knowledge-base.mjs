#!/usr/bin/env node
/**
 * Narrows down native crashes under concurrent ingestion without the server: `--processes` processes, each with
 * `--threads` worker threads, all ingesting documents into one workspace of one data directory through the real
 * knowledge base (LanceDB, better-sqlite3, jieba), with an in-process embedder (no Ollama), while each main thread
 * searches. Bounded by `--seconds`. Prints how each process ended; any signal or non-zero exit is a crash.
 * Run after `npx tsc -b`:
 *
 *   node bench/stress/probe-knowledge-base.mjs [--processes 2] [--threads 2] [--seconds 60] [--data-dir DIR]
 *
 * The main thread of each process also folds new chunks into the indexes every `--fold-every` seconds (0: never).
 * `--terminate-every N` terminates each worker thread at a random moment within N seconds and starts a new one
 * (as the server's pool does with a worker that ignores a cancel).
 * `--same-thread` ingests from the main thread only (no worker threads), to tell threads from processes apart.
 */
import { spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();
const { openKnowledgeBase } = await import("@zhiku/ingest");

const scriptPath = fileURLToPath(import.meta.url);
const words = (
  "倒排 索引 向量 检索 分词 词典 集群 分片 副本 磁盘 配额 日志 缓存 线程 进程 事务 快照 压缩 备份 恢复 " +
  "shard quota cache index vector replica snapshot compaction backup restore thread process"
).split(" ");

/** An embedder that costs nothing: each text hashed into 32 buckets. */
const embedder = {
  model: "probe-embed",
  async dimension() {
    return 32;
  },
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Array(32).fill(0);
      for (let index = 0; index < text.length; index += 1) vector[text.charCodeAt(index) % 32] += 1;
      const norm = Math.hypot(...vector) || 1;
      return vector.map((value) => value / norm);
    });
  },
};

function documentText(seed) {
  let state = seed * 2654435761;
  const pick = () => {
    state = (state * 1103515245 + 12345) >>> 0;
    return words[state % words.length];
  };
  const paragraphs = [];
  for (let paragraph = 0; paragraph < 6; paragraph += 1) {
    const sentence = Array.from({ length: 60 }, pick).join(paragraph % 2 ? " " : "");
    paragraphs.push(`## 第 ${paragraph} 节 ${seed}\n\n${sentence} 编号 ${seed}-${paragraph}。`);
  }
  return `# 文档 ${seed}\n\n${paragraphs.join("\n\n")}\n`;
}

/** Ingests documents until `deadline`, returns how many. */
async function ingestUntil({ dataDir, deadline, label }) {
  const knowledgeBase = await openKnowledgeBase({ dataDir, embedder });
  let count = 0;
  try {
    while (Date.now() < deadline) {
      const seed = Math.floor(Math.random() * 1e9);
      await knowledgeBase.ingest({
        workspace: "stress",
        name: `${label}-${count}.md`,
        bytes: new TextEncoder().encode(documentText(seed)),
      });
      count += 1;
    }
  } finally {
    await knowledgeBase.close();
  }
  return count;
}

if (!isMainThread) {
  const count = await ingestUntil(workerData);
  parentPort.postMessage({ count });
} else {
  const { values } = parseArgs({
    options: {
      processes: { type: "string", default: "2" },
      threads: { type: "string", default: "2" },
      seconds: { type: "string", default: "60" },
      "data-dir": { type: "string" },
      "same-thread": { type: "boolean", default: false },
      "fold-every": { type: "string", default: "10" },
      "terminate-every": { type: "string", default: "0" },
      child: { type: "string" },
    },
  });
  const seconds = Number(values.seconds);
  if (values.child !== undefined) {
    // One process: worker threads ingest, the main thread searches (as the server does).
    const dataDir = values["data-dir"];
    const deadline = Date.now() + seconds * 1000;
    const threads = Number(values.threads);
    const label = `p${values.child}`;
    const terminateEvery = Number(values["terminate-every"]) * 1000;
    let terminated = 0;
    /** A worker thread ingesting until the deadline; with `--terminate-every`, replaced by a fresh one when killed. */
    const runWorker = (name) =>
      new Promise((resolve, reject) => {
        const worker = new Worker(scriptPath, { workerData: { dataDir, deadline, label: name } });
        let killed = false;
        const timer =
          terminateEvery > 0
            ? setTimeout(() => {
                killed = true;
                terminated += 1;
                void worker.terminate();
              }, Math.random() * terminateEvery)
            : undefined;
        worker.once("message", ({ count }) => resolve(count));
        worker.once("error", reject);
        worker.once("exit", (code) => {
          clearTimeout(timer);
          if (killed && Date.now() < deadline) resolve(runWorker(`${name}r`));
          else if (killed) resolve(0);
          else if (code !== 0) reject(new Error(`worker exit ${code}`));
        });
      });
    const jobs = values["same-thread"]
      ? [ingestUntil({ dataDir, deadline, label: `${label}-main` })]
      : Array.from({ length: threads }, (_, thread) => runWorker(`${label}-t${thread}`));
    const searcher = await openKnowledgeBase({ dataDir, embedder });
    let searches = 0;
    let folds = 0;
    let lastFold = Date.now();
    let ingesting = true;
    const all = Promise.all(jobs).finally(() => {
      ingesting = false;
    });
    while (ingesting && Date.now() < deadline + 30_000) {
      try {
        await searcher.search({ workspace: "stress", query: "倒排索引 shard", mode: "hybrid", limit: 5 });
      } catch {
        // The workspace may not exist yet.
      }
      searches += 1;
      // Folding into the indexes, as the server does when its queue is idle and the CLI at its end.
      if (Number(values["fold-every"]) > 0 && Date.now() - lastFold > Number(values["fold-every"]) * 1000) {
        lastFold = Date.now();
        try {
          await searcher.optimize("stress");
          folds += 1;
        } catch (error) {
          console.error(`fold failed: ${error.message}`);
        }
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const counts = await all;
    await searcher.close();
    console.log(JSON.stringify({ process: values.child, documents: counts, searches, folds, terminated }));
  } else {
    const dataDir = values["data-dir"] ?? (await mkdtemp(join(os.tmpdir(), "zhiku-probe-")));
    const children = Array.from({ length: Number(values.processes) }, (_, index) => {
      const args = [
        scriptPath,
        "--child",
        String(index),
        "--data-dir",
        dataDir,
        "--seconds",
        String(seconds),
      ];
      args.push("--threads", values.threads, "--fold-every", values["fold-every"]);
      args.push("--terminate-every", values["terminate-every"]);
      if (values["same-thread"]) args.push("--same-thread");
      const child = spawn(process.execPath, args, { stdio: ["ignore", "inherit", "inherit"] });
      return new Promise((resolve) => child.once("exit", (code, signal) => resolve({ index, code, signal })));
    });
    const endings = await Promise.all(children);
    const crashes = endings.filter((ending) => ending.code !== 0);
    console.log(JSON.stringify({ dataDir, endings, crashes: crashes.length }));
    if (!values["data-dir"]) await rm(dataDir, { recursive: true, force: true });
    process.exitCode = crashes.length > 0 ? 1 : 0;
  }
}
