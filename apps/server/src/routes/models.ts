import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errorResponse, eventStreamResponse, jsonResponse } from "./schemas.js";
import { validate } from "./validation.js";

const modelSchema = z.object({
  name: z.string(),
  size: z.number(),
  modifiedAt: z.string(),
  family: z.string().nullable(),
  parameterSize: z.string().nullable(),
});

/** `GET /models` (models installed in Ollama) and `POST /models/pull` (pull progress as SSE). */
export function createModelRoutes(deps: AppDeps) {
  const { permissions } = deps.auth;
  return new Hono()
    .get(
      "/models",
      describeRoute({
        tags: ["Models"],
        summary: "Models installed in Ollama",
        responses: {
          200: jsonResponse("Installed models", z.object({ models: z.array(modelSchema) })),
          503: errorResponse("Ollama is unreachable"),
        },
      }),
      async (c) => {
        let listed: Awaited<ReturnType<ReturnType<AppDeps["ollama"]["createClient"]>["list"]>>;
        try {
          listed = await deps.ollama.createClient({ timeoutMs: 5_000 }).list();
        } catch (error) {
          throw new ZhikuError(
            "unavailable:ollama",
            `Ollama is not reachable at ${deps.ollama.host}; start it or set OLLAMA_HOST`,
            { cause: error },
          );
        }
        const models = listed.models.map((model) => ({
          name: model.name,
          size: model.size,
          modifiedAt: new Date(model.modified_at).toISOString(),
          family: model.details?.family ?? null,
          parameterSize: model.details?.parameter_size ?? null,
        }));
        return c.json({ models }, 200);
      },
    )
    .post(
      "/models/pull",
      describeRoute({
        tags: ["Models"],
        summary: "Pull a model into Ollama (admins)",
        description:
          "Streams `progress` events (data: Ollama's `{status,digest?,total?,completed?}`), then `done`; on failure an `error` event `{code,message}`.",
        responses: { 200: eventStreamResponse("Pull progress"), 400: errorResponse("Missing model name") },
      }),
      validate("json", z.object({ name: z.string().trim().min(1).max(200) })),
      (c) => {
        // Pulling downloads gigabytes onto the server: admins only.
        permissions.requireAdmin(c.get("auth"));
        const { name } = c.req.valid("json");
        return streamSSE(c, async (stream) => {
          const client = deps.ollama.createClient();
          const abort = () => client.abort();
          deps.shutdownSignal.addEventListener("abort", abort, { once: true });
          stream.onAbort(abort);
          try {
            const progress = await client.pull({ model: name, stream: true });
            for await (const part of progress) {
              await stream.writeSSE({
                event: "progress",
                data: JSON.stringify({
                  status: part.status,
                  ...(part.digest ? { digest: part.digest } : {}),
                  ...(part.total ? { total: part.total } : {}),
                  ...(part.completed ? { completed: part.completed } : {}),
                }),
              });
            }
            await stream.writeSSE({ event: "done", data: JSON.stringify({ name }) });
          } catch (error) {
            if (stream.aborted || deps.shutdownSignal.aborted) return;
            const message = error instanceof Error ? error.message : String(error);
            const unreachable = /fetch failed|ECONNREFUSED|network/i.test(message);
            await stream.writeSSE({
              event: "error",
              data: JSON.stringify(
                unreachable
                  ? { code: "unavailable:ollama", message: `Ollama is not reachable at ${deps.ollama.host}` }
                  : { code: "failed:pull", message: `Pulling ${name} failed: ${message}` },
              ),
            });
          } finally {
            deps.shutdownSignal.removeEventListener("abort", abort);
            // The models Ollama has changed (or may have): the next health check asks again.
            deps.ollamaStatus.invalidate();
          }
        });
      },
    );
}
