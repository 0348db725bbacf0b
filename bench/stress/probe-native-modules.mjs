#!/usr/bin/env node
/**
 * Hammers one native module from several worker threads at once, to tell which one breaks under threads:
 *   pdf     pdf.js text extraction (which loads @napi-rs/canvas in every thread that imports it)
 *   canvas  @napi-rs/canvas alone, as pdf.js uses it in Node (DOMMatrix, Path2D, ImageData)
 *   jieba   @node-rs/jieba search-mode segmentation
 *   argon2  @node-rs/argon2 hashing and verifying
 *   sqlite  better-sqlite3 writes to one file from every thread
 * Each worker runs `--iterations` rounds and exits; a new one takes its place until `--seconds` have passed, so
 * worker start-up and teardown (where per-thread native state is created and freed) repeat many times. The main
 * thread uses the module too. Prints how many workers ran and how the process would have ended; run with
 * `MALLOC_CHECK_=3 LD_PRELOAD=libc_malloc_debug.so.0` for glibc's heap checks. After `npx tsc -b`:
 *
 *   node bench/stress/probe-native-modules.mjs --module pdf [--threads 4] [--seconds 60] [--iterations 20]
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const scriptPath = fileURLToPath(import.meta.url);
const fixtures = new URL("../../packages/ingest/fixtures/", import.meta.url);

/** One round of work with `module`, set up once per thread by `prepare`. */
async function prepare(module, directory) {
  if (module === "pdf") {
    const { parseDocument } = await import("@zhiku/ingest");
    const bytes = new Uint8Array(readFileSync(new URL("zh-two-page.pdf", fixtures)));
    return () => parseDocument({ name: "zh-two-page.pdf", bytes: bytes.slice() });
  }
  if (module === "canvas") {
    // What pdf.js takes from @napi-rs/canvas in Node: DOMMatrix, Path2D and ImageData polyfills.
    const { createRequire } = await import("node:module");
    const canvas = createRequire(import.meta.url)("@napi-rs/canvas");
    return () => {
      const matrix = new canvas.DOMMatrix([2, 0, 0, 2, 5, 5]).multiply(new canvas.DOMMatrix());
      const path = new canvas.Path2D();
      path.rect(0, 0, matrix.a, matrix.d);
      return new canvas.ImageData(16, 16).data.length;
    };
  }
  if (module === "jieba") {
    const { Jieba } = await import("@node-rs/jieba");
    const { dict } = await import("@node-rs/jieba/dict.js");
    const jieba = Jieba.withDict(dict);
    const text = "倒排索引记录每个词出现在哪些文档里，二元组切分不依赖词典。".repeat(200);
    return () => jieba.cutForSearch(text, true).length;
  }
  if (module === "argon2") {
    const { hash, verify } = await import("@node-rs/argon2");
    return async () => verify(await hash("correct horse battery staple"), "correct horse battery staple");
  }
  if (module === "sqlite") {
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(directory, "probe.db"));
    db.pragma("journal_mode = WAL");
    db.pragma("busy_timeout = 5000");
    db.exec("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, text TEXT)");
    const insert = db.prepare("INSERT INTO rows (text) VALUES (?)");
    return () => insert.run("行".repeat(1000));
  }
  throw new Error(`unknown module ${module}`);
}

if (!isMainThread) {
  const { module, iterations, directory } = workerData;
  const work = await prepare(module, directory);
  for (let index = 0; index < iterations; index += 1) await work();
  parentPort.postMessage("done");
} else {
  const { values } = parseArgs({
    options: {
      module: { type: "string", default: "pdf" },
      threads: { type: "string", default: "4" },
      seconds: { type: "string", default: "60" },
      iterations: { type: "string", default: "20" },
    },
  });
  const directory = mkdtempSync(join(os.tmpdir(), "zhiku-native-probe-"));
  const deadline = Date.now() + Number(values.seconds) * 1000;
  const data = { module: values.module, iterations: Number(values.iterations), directory };
  let workers = 0;
  let failures = 0;
  const lane = async () => {
    while (Date.now() < deadline) {
      workers += 1;
      await new Promise((resolve) => {
        const worker = new Worker(scriptPath, { workerData: data });
        worker.once("error", (error) => {
          failures += 1;
          console.error(error);
        });
        worker.once("exit", resolve);
      });
    }
  };
  const main = async () => {
    const work = await prepare(values.module, directory);
    let rounds = 0;
    while (Date.now() < deadline) {
      await work();
      rounds += 1;
      await new Promise((resolve) => setImmediate(resolve));
    }
    return rounds;
  };
  const [mainRounds] = await Promise.all([main(), ...Array.from({ length: Number(values.threads) }, lane)]);
  rmSync(directory, { recursive: true, force: true });
  console.log(JSON.stringify({ module: values.module, workers, failures, mainRounds }));
}
