import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import type { AppDeps } from "../deps.js";
import type { DocumentEvent } from "../services/jobs/document-events.js";
import { errorResponse, eventStreamResponse } from "./schemas.js";

/**
 * `GET /workspaces/:slug/events`: document progress as server-sent events. Each `document` event carries
 * `{id,name,status,stage?,done?,total?,error?,errorCode?,chunks?}`. On connect the documents still queued or processing
 * are sent once, so a reconnecting client catches up. Comments keep idle connections alive; the stream
 * ends when the server shuts down.
 */
export function createEventRoutes(deps: AppDeps) {
  const { kb, jobs, events } = deps;
  const keepAliveMs = (deps.keepAliveSeconds ?? 15) * 1000;
  const { permissions } = deps.auth;
  return new Hono().get(
    "/workspaces/:slug/events",
    describeRoute({
      tags: ["Documents"],
      summary: "Document progress (server-sent events)",
      description:
        "Each `document` event carries {id, name, status, stage?, done?, total?, error?, errorCode?, chunks?}; " +
        "errorCode is the code of error (such as invalid:encrypted) when ingestion recorded one.",
      responses: { 200: eventStreamResponse("`document` events"), 404: errorResponse("No such workspace") },
    }),
    (c) => {
      const { workspace } = permissions.requireWorkspace(c.get("auth"), c.req.param("slug"), "viewer");
      return streamSSE(c, async (stream) => {
        const pending: DocumentEvent[] = kb
          .listDocuments(workspace.slug)
          .filter((document) => document.status === "queued" || document.status === "processing")
          .map((document) => jobs.eventFor(document));
        let closed = false;
        let wake: (() => void) | undefined;
        const notify = () => {
          wake?.();
          wake = undefined;
        };
        const unsubscribe = events.subscribe(workspace.id, {
          onEvent: (event) => {
            pending.push(event);
            notify();
          },
          onClose: () => {
            closed = true;
            notify();
          },
        });
        const onShutdown = () => {
          closed = true;
          notify();
        };
        deps.shutdownSignal.addEventListener("abort", onShutdown, { once: true });
        stream.onAbort(onShutdown);
        try {
          await stream.write(": connected\n\n");
          while (!closed && !stream.aborted) {
            while (pending.length > 0 && !stream.aborted) {
              const event = pending.shift()!;
              await stream.writeSSE({ event: "document", data: JSON.stringify(event), id: `${Date.now()}` });
            }
            if (closed) break;
            const timedOut = await new Promise<boolean>((resolve) => {
              const timer = setTimeout(() => resolve(true), keepAliveMs);
              wake = () => {
                clearTimeout(timer);
                resolve(false);
              };
            });
            if (timedOut && pending.length === 0 && !closed) await stream.write(": ping\n\n");
          }
        } finally {
          unsubscribe();
          deps.shutdownSignal.removeEventListener("abort", onShutdown);
        }
      });
    },
  );
}
