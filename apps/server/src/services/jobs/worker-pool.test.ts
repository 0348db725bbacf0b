import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { IngestRunner, IngestTask } from "./ingest-runner.js";
import { createWorkerPoolRunner } from "./worker-pool.js";

/**
 * A worker speaking the ingest worker's protocol that ingests nothing: each task takes 100 ms and reports its
 * worker's thread id and how many tasks that worker was running at its start, as the outcome.
 */
const echoWorker = `
import { parentPort, threadId } from "node:worker_threads";
let running = 0;
parentPort.on("message", (request) => {
  if (request.type === "close") return parentPort.close();
  if (request.type !== "ingest") return;
  running++;
  const outcome = { threadId, runningAtStart: running };
  setTimeout(() => {
    running--;
    parentPort.postMessage({ type: "done", jobId: request.jobId, outcome });
  }, 100);
});
parentPort.postMessage({ type: "ready" });
`;

const silentLogger = { fatal() {}, error() {}, warn() {}, info() {}, debug() {}, trace() {} };

describe("worker pool runner", () => {
  let directory: string;
  let runner: IngestRunner | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-worker-pool-"));
    await writeFile(join(directory, "echo-worker.mjs"), echoWorker);
  });

  afterEach(async () => {
    await runner?.close();
    runner = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  const task = (index: number): IngestTask => ({
    jobId: `job-${index}`,
    workspace: "w",
    documentId: `document-${index}`,
    name: `${index}.md`,
    fileHash: "0".repeat(64),
  });

  it("spreads tasks over its workers first, then runs several in each", async () => {
    const outcomes = new Map<string, { threadId: number; runningAtStart: number }>();
    let settle: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      settle = resolve;
    });
    runner = createWorkerPoolRunner({
      size: 2,
      tasksPerWorker: 3,
      workerData: { dataDir: directory, ollamaHost: "http://127.0.0.1:1", embedModel: "bge-m3" },
      logger: silentLogger,
      workerPath: join(directory, "echo-worker.mjs"),
    })({
      onProgress() {},
      onDone(jobId, outcome) {
        outcomes.set(jobId, outcome as unknown as { threadId: number; runningAtStart: number });
        if (outcomes.size === 6) settle();
      },
      onFailed(jobId, failure) {
        throw new Error(`${jobId} failed: ${failure.message}`);
      },
    });
    expect(runner.capacity).toBe(6);
    for (let index = 0; index < 6; index++) runner.run(task(index));
    expect(() => runner!.run(task(6))).toThrow(/No idle ingest worker/);
    await finished;
    const threads = new Set([...outcomes.values()].map((outcome) => outcome.threadId));
    expect(threads.size).toBe(2);
    // Three at once in each worker.
    expect(Math.max(...[...outcomes.values()].map((outcome) => outcome.runningAtStart))).toBe(3);
    // Room again once they are done.
    expect(() => runner!.run(task(7))).not.toThrow();
  });

  it("gives its workers no heap limit of their own: V8 stopping a thread with LanceDB calls in flight aborts the process", async () => {
    await writeFile(
      join(directory, "limits-worker.mjs"),
      `import { parentPort, resourceLimits } from "node:worker_threads";
parentPort.on("message", (request) => {
  if (request.type === "close") return parentPort.close();
  if (request.type === "ingest") parentPort.postMessage({ type: "done", jobId: request.jobId, outcome: resourceLimits });
});
`,
    );
    const unlimited = await new Promise<Record<string, number>>((resolve) => {
      const reference = new Worker(
        `require("node:worker_threads").parentPort.postMessage(require("node:worker_threads").resourceLimits)`,
        { eval: true },
      );
      reference.once("message", (limits: Record<string, number>) => {
        void reference.terminate();
        resolve(limits);
      });
    });
    const limits = await new Promise<Record<string, number>>((resolve, reject) => {
      runner = createWorkerPoolRunner({
        size: 1,
        workerData: { dataDir: directory, ollamaHost: "http://127.0.0.1:1", embedModel: "bge-m3" },
        logger: silentLogger,
        workerPath: join(directory, "limits-worker.mjs"),
      })({
        onProgress() {},
        onDone: (_jobId, outcome) => resolve(outcome as unknown as Record<string, number>),
        onFailed: (_jobId, failure) => reject(new Error(failure.message)),
      });
      runner.run(task(0));
    });
    expect(limits.maxOldGenerationSizeMb).toBe(unlimited.maxOldGenerationSizeMb);
  });

  it("never terminates a worker that ignores a cancel: it is retired and finishes, new tasks go to a new worker", async () => {
    // Terminating a thread with LanceDB calls in flight aborts the whole process (bench/stress/probe-lancedb-terminate.mjs).
    await writeFile(
      join(directory, "stubborn-worker.mjs"),
      `import { parentPort, threadId } from "node:worker_threads";
parentPort.on("message", (request) => {
  if (request.type === "close") return parentPort.close();
  if (request.type !== "ingest") return;
  setTimeout(() => parentPort.postMessage({ type: "done", jobId: request.jobId, outcome: { threadId } }), 300);
});
parentPort.postMessage({ type: "ready" });
`,
    );
    const done = new Map<string, number>();
    const failed: string[] = [];
    let settle: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      settle = resolve;
    });
    runner = createWorkerPoolRunner({
      size: 1,
      tasksPerWorker: 1,
      cancelGraceMs: 20,
      workerData: { dataDir: directory, ollamaHost: "http://127.0.0.1:1", embedModel: "bge-m3" },
      logger: silentLogger,
      workerPath: join(directory, "stubborn-worker.mjs"),
    })({
      onProgress() {},
      onDone(jobId, outcome) {
        done.set(jobId, (outcome as unknown as { threadId: number }).threadId);
        if (done.size === 2) settle();
      },
      onFailed(jobId, failure) {
        failed.push(`${jobId}: ${failure.code}`);
        settle();
      },
    });
    runner.run(task(0));
    runner.cancel("job-0");
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Past the grace period the stubborn worker is retired, not killed: the next task gets a worker of its own.
    expect(() => runner!.run(task(1))).not.toThrow();
    await finished;
    expect(failed).toEqual([]);
    expect(done.get("job-0")).toBeDefined();
    expect(done.get("job-1")).not.toBe(done.get("job-0"));
  });
});
