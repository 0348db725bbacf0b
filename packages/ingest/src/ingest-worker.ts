/**
 * Worker-thread entry that ingests documents off the server's event loop. It speaks the protocol of
 * `worker-protocol.ts`: started with `IngestWorkerData`, it takes `IngestWorkerRequest`s and answers with
 * `IngestWorkerEvent`s.
 * Each worker opens its own knowledge base handles on the shared data dir, and parses and chunks in parse workers
 * of its own (`parse-worker/parse-pool.ts`): this thread has no heap limit and is never terminated, since stopping a
 * thread with LanceDB calls in flight aborts the whole process; a runaway file is stopped in a parse worker instead.
 */

import { isMainThread, parentPort, workerData } from "node:worker_threads";
import { configureLanceEnvironment } from "./lance-environment.js";
import type { IngestWorkerData, IngestWorkerEvent, IngestWorkerRequest } from "./worker-protocol.js";

async function run(): Promise<void> {
  if (isMainThread || !parentPort) throw new Error("ingest-worker must run in a worker thread");
  const port = parentPort;
  // Before LanceDB loads.
  configureLanceEnvironment();
  const data = workerData as IngestWorkerData;
  const { openKnowledgeBase } = await import("./knowledge-base.js");
  const { knowledgeBaseOptionsFrom } = await import("./knowledge-base-options.js");
  const { isRetryable, isZhikuError } = await import("./errors.js");
  const { createParsePool } = await import("./parse-worker/parse-pool.js");
  const parsePool = createParsePool({
    ...(data.parseHeapMb === undefined ? {} : { heapMb: data.parseHeapMb }),
    ...(data.stallTimeoutMs === undefined ? {} : { stallMs: data.stallTimeoutMs }),
  });
  const knowledgeBase = await openKnowledgeBase({
    ...knowledgeBaseOptionsFrom(data),
    prepare: parsePool.prepare,
  }).catch(async (error: unknown) => {
    await parsePool.close();
    throw error;
  });
  const running = new Map<string, AbortController>();
  const send = (event: IngestWorkerEvent) => port.postMessage(event);

  port.on("message", (request: IngestWorkerRequest) => {
    if (request.type === "close") {
      for (const controller of running.values()) controller.abort();
      void Promise.all([parsePool.close(), knowledgeBase.close()]).finally(() => port.close());
      return;
    }
    if (request.type === "cancel") {
      running.get(request.jobId)?.abort();
      return;
    }
    const controller = new AbortController();
    running.set(request.jobId, controller);
    void (async () => {
      try {
        const bytes = await knowledgeBase.files.read(request.fileHash);
        const outcome = await knowledgeBase.ingest({
          workspace: request.workspace,
          documentId: request.documentId,
          name: request.name,
          bytes,
          maxBytes: data.maxBytes,
          signal: controller.signal,
          onProgress: (progress) => send({ type: "progress", jobId: request.jobId, progress }),
        });
        send({ type: "done", jobId: request.jobId, outcome });
      } catch (error) {
        const code = isZhikuError(error) ? error.code : "internal:error";
        const message = error instanceof Error ? error.message : String(error);
        send({
          type: "failed",
          jobId: request.jobId,
          error: { code, message },
          retryable: isRetryable(error) && !controller.signal.aborted,
        });
      } finally {
        running.delete(request.jobId);
      }
    })();
  });
  send({ type: "ready" });
}

if (!isMainThread) {
  run().catch((error: unknown) => {
    // Nothing can be ingested without the knowledge base: report and let the server restart the worker.
    const event: IngestWorkerEvent = {
      type: "fatal",
      message: error instanceof Error ? error.message : String(error),
    };
    parentPort?.postMessage(event);
    process.exitCode = 1;
  });
}
