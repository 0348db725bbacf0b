#!/usr/bin/env node
/**
 * The smallest reproduction of the native crash found under concurrent ingestion: worker threads that write to and
 * search one LanceDB table, terminated (`worker.terminate()`) at random moments and replaced, as the server's
 * worker pool does with a worker that ignores a cancel (and as V8 does to a worker over its `resourceLimits`).
 * With `--mode terminate` the process aborts within a minute or so, in a tokio thread of LanceDB's native module
 * resolving a promise of the terminated thread (`JsDeferred::call_tsfn` → `napi_call_threadsafe_function` on a
 * thread-safe function freed with the thread's environment: with glibc's mutex checks an abort in uv_mutex_lock,
 * otherwise a write into freed memory — the heap corruption). `--mode graceful` asks the workers to stop instead
 * and lets them finish their pending calls first: no crash. `--mode oom` gives the workers `resourceLimits` and
 * makes them run out of heap (ERR_WORKER_OUT_OF_MEMORY), as a runaway parse would: V8 stops the thread just as
 * abruptly. `--mode abandon` closes the connection and lets the thread end without waiting for its call in flight.
 * Prints how the child process ended.
 *
 *   node bench/stress/probe-lancedb-terminate.mjs [--mode terminate|graceful|oom|abandon] [--threads 2] [--seconds 60]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { isMainThread, parentPort, Worker, workerData } from "node:worker_threads";

const scriptPath = fileURLToPath(import.meta.url);
const { values } = parseArgs({
  options: {
    mode: { type: "string", default: "terminate" },
    threads: { type: "string", default: "2" },
    seconds: { type: "string", default: "60" },
    child: { type: "boolean", default: false },
  },
});

const rows = (count) =>
  Array.from({ length: count }, (_, index) => ({
    id: `${Date.now()}-${Math.random()}-${index}`,
    text: `第 ${index} 行 shard quota ${Math.random()}`,
    vector: Array.from({ length: 32 }, () => Math.random()),
  }));

if (!isMainThread) {
  const lancedb = await import("@lancedb/lancedb");
  const connection = await lancedb.connect(workerData.directory);
  let table;
  try {
    table = await connection.openTable("probe");
  } catch {
    table = await connection.createTable("probe", rows(10), { existOk: true });
  }
  let stopping = false;
  parentPort.on("message", (message) => {
    if (message === "stop") stopping = true;
    // Closing and letting the thread end without waiting for the call in flight (its promise is left pending).
    if (message === "abandon") {
      stopping = true;
      table.close();
      connection.close();
      parentPort.close();
    }
    // A runaway parse: fill the heap until V8 stops the thread at its resourceLimits.
    if (message === "exhaust") {
      const hoard = [];
      const grow = () => {
        for (let index = 0; index < 200; index += 1) hoard.push(new Array(10_000).fill(index));
        setImmediate(grow);
      };
      grow();
    }
  });
  while (!stopping) {
    await table.add(rows(50));
    await table.query().nearestTo(rows(1)[0].vector).limit(5).toArray();
  }
  if (!connection.isOpen()) process.exit(0);
  table.close();
  connection.close();
  parentPort.close();
} else if (values.child) {
  const directory = mkdtempSync(join(os.tmpdir(), "zhiku-lance-probe-"));
  const lancedb = await import("@lancedb/lancedb");
  const connection = await lancedb.connect(directory);
  await connection.createTable("probe", rows(10), { existOk: true });
  const deadline = Date.now() + Number(values.seconds) * 1000;
  let stopped = 0;
  const lane = async () => {
    while (Date.now() < deadline) {
      const worker = new Worker(scriptPath, {
        workerData: { directory },
        ...(values.mode === "oom" ? { resourceLimits: { maxOldGenerationSizeMb: 64 } } : {}),
      });
      worker.on("error", () => {});
      const exited = new Promise((resolve) => worker.once("exit", resolve));
      await new Promise((resolve) => setTimeout(resolve, 200 + Math.random() * 1500));
      if (values.mode === "terminate") await worker.terminate();
      else worker.postMessage({ oom: "exhaust", abandon: "abandon" }[values.mode] ?? "stop");
      await exited;
      stopped += 1;
    }
  };
  await Promise.all(Array.from({ length: Number(values.threads) }, lane));
  connection.close();
  rmSync(directory, { recursive: true, force: true });
  console.log(JSON.stringify({ mode: values.mode, workersStopped: stopped }));
} else {
  const args = [scriptPath, "--child", "--mode", values.mode, "--threads", values.threads];
  const result = spawnSync(process.execPath, [...args, "--seconds", values.seconds], { stdio: "inherit" });
  console.log(
    JSON.stringify({
      mode: values.mode,
      exitCode: result.status,
      signal: result.signal,
      crashed: result.status !== 0,
    }),
  );
  process.exitCode = result.status === 0 ? 0 : 1;
}
