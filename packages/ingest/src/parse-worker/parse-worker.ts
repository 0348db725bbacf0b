/**
 * Worker-thread entry of the parse pool: parses and chunks files (`prepareDocument`) under the heap limit its pool
 * gives it, answering with the events of `parse-protocol.ts`. It must never load LanceDB (dependency-cruiser's
 * `parse-worker-not-to-lancedb`): a thread stopped by its heap limit while LanceDB calls are in flight aborts the
 * whole process (bench/stress/README.md).
 */

import { isMainThread, parentPort } from "node:worker_threads";
import { isZhikuError } from "../errors.js";
import { prepareDocument } from "../pipeline/prepare-document.js";
import type { ParseEvent, ParseRequest } from "./parse-protocol.js";

if (!isMainThread && parentPort) {
  const port = parentPort;
  const send = (event: ParseEvent, transfer: ArrayBuffer[] = []) => port.postMessage(event, transfer);
  port.on("message", (request: ParseRequest) => {
    void (async () => {
      try {
        const prepared = await prepareDocument({
          bytes: request.bytes,
          name: request.name,
          maxBytes: request.maxBytes,
          chunkOptions: request.chunkOptions,
          ...(request.ocr ? { ocr: request.ocr } : {}),
          onProgress: (progress) => send({ type: "progress", id: request.id, progress }),
        });
        send({ type: "done", id: request.id, prepared });
      } catch (error) {
        send({
          type: "failed",
          id: request.id,
          error: isZhikuError(error)
            ? { code: error.code, message: error.message, retryable: error.retryable }
            : { message: error instanceof Error ? error.message : String(error) },
        });
      }
    })();
  });
  send({ type: "ready" });
}
