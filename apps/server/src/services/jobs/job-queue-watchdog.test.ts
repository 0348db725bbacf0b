import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Embedder, type KnowledgeBase, openKnowledgeBase } from "@zhiku/ingest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { migrateServerDatabase } from "../../db/migrations.js";
import { createLogger } from "../../logger.js";
import { DocumentEventBus } from "./document-events.js";
import type { IngestRunnerHandlers, IngestTask } from "./ingest-runner.js";
import { JobQueue } from "./job-queue.js";

/** Vectors from letter counts: enough for the store, no Ollama. */
const letterEmbedder: Embedder = {
  model: "letters",
  dimension: async () => 26,
  embed: async (texts) =>
    texts.map((text) => {
      const vector = new Array<number>(26).fill(0);
      for (const letter of text.toLowerCase()) {
        const index = letter.charCodeAt(0) - 97;
        if (index >= 0 && index < 26) vector[index]! += 1;
      }
      return vector.map((value) => value + 0.001);
    }),
};

/**
 * A runner whose first task vanishes: it is accepted, never reported, and no longer held (a worker gone without
 * an exit event). Later tasks are ingested on this thread.
 */
function vanishingFirstRunner(kb: KnowledgeBase, runs: IngestTask[]) {
  return (handlers: IngestRunnerHandlers) => {
    const held = new Set<string>();
    return {
      capacity: 1,
      run(task: IngestTask) {
        runs.push(task);
        if (runs.length === 1) return;
        held.add(task.jobId);
        void (async () => {
          const bytes = await kb.files.read(task.fileHash);
          const outcome = await kb.ingest({ ...task, bytes });
          held.delete(task.jobId);
          handlers.onDone(task.jobId, outcome);
        })();
      },
      holds: (jobId: string) => held.has(jobId),
      cancel() {},
      close: async () => {},
    };
  };
}

describe("job queue recovery: vanished workers, stray running jobs, folds left over", () => {
  let dataDir: string;
  let kb: KnowledgeBase;
  let jobs: JobQueue | undefined;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-watchdog-"));
    kb = await openKnowledgeBase({ dataDir, embedder: letterEmbedder });
    migrateServerDatabase(kb.db);
  });

  afterEach(async () => {
    await jobs?.close();
    jobs = undefined;
    await kb.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("re-queues a job whose worker vanished without a word, and it then ends ready", async () => {
    const runs: IngestTask[] = [];
    jobs = new JobQueue({
      kb,
      events: new DocumentEventBus(),
      logger: createLogger("silent"),
      createRunner: vanishingFirstRunner(kb, runs),
      retryDelayMs: () => 0,
      watchdogIntervalMs: 20,
    });
    jobs.start();
    const workspace = kb.createWorkspace({ name: "Watchdog", slug: "watchdog" });
    const bytes = new TextEncoder().encode("# Notes\n\nThe lighthouse keeper writes the log at dusk.\n");
    const document = jobs.enqueueUploads([
      { workspace, name: "notes.md", bytes: bytes.byteLength, fileHash: await kb.files.put(bytes) },
    ])[0]!;
    await jobs.whenIdle();
    expect(runs.map((task) => task.documentId)).toEqual([document.id, document.id]);
    expect(kb.getDocument("watchdog", document.id)).toMatchObject({ status: "ready", error: null });
    const job = jobs.store.latestForDocument(document.id);
    expect(job).toMatchObject({ status: "done", attempts: 2 });
  });

  it("re-queues a job stored as running that nothing runs", async () => {
    // Seeded so that no task vanishes: every one is ingested.
    const runs = [{ jobId: "seed" } as IngestTask];
    jobs = new JobQueue({
      kb,
      events: new DocumentEventBus(),
      logger: createLogger("silent"),
      // Every task is ingested; the stray row below is what the watchdog has to find.
      createRunner: vanishingFirstRunner(kb, runs),
      retryDelayMs: () => 0,
      watchdogIntervalMs: 20,
    });
    const workspace = kb.createWorkspace({ name: "Watchdog", slug: "watchdog" });
    const bytes = new TextEncoder().encode("# Tides\n\nHigh water comes twice a day.\n");
    const fileHash = await kb.files.put(bytes);
    jobs.start();
    // A row left running after start (as a lost hand-over would leave it): no event will ever come for it.
    const document = kb.queueDocument({
      workspace: "watchdog",
      name: "tides.md",
      bytes: bytes.byteLength,
      fileHash,
    });
    const stray = jobs.store.insert({
      workspaceId: workspace.id,
      documentId: document.id,
      fileHash,
      name: "tides.md",
    });
    jobs.store.update(stray.id, { status: "running" });
    await jobs.whenIdle();
    expect(jobs.store.get(stray.id)).toMatchObject({ status: "done" });
    expect(kb.getDocument("watchdog", document.id)).toMatchObject({ status: "ready" });
  });

  it("folds at start the chunks a previous run stored but stopped before folding, with nothing new queued", async () => {
    // What a server stopped during its fold (or killed before it) leaves: stored chunks the indexes lack.
    const bytes = new TextEncoder().encode("# Ferries\n\nThe ferry leaves at noon from the north pier.\n");
    await kb.ingest({ workspace: "owed", name: "ferries.md", bytes });
    expect(await kb.unfoldedChunks("owed")).toBeGreaterThan(0);
    jobs = new JobQueue({
      kb,
      events: new DocumentEventBus(),
      logger: createLogger("silent"),
      createRunner: vanishingFirstRunner(kb, []),
      retryDelayMs: () => 0,
    });
    jobs.start();
    await expect.poll(() => kb.unfoldedChunks("owed"), { timeout: 20_000 }).toBe(0);
  });
});
