import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { AppDeps } from "../deps.js";
import { healthSchema, jsonResponse } from "./schemas.js";

/**
 * `GET /health`: whether Ollama answers and has the configured models. Always 200; `degraded` says what is missing,
 * and `missingModels` names the configured models Ollama does not have (none while it cannot be reached, when
 * nothing is known about them), e.g. a mistyped `CHAT_MODEL` whose pull failed. Ollama's status comes from
 * {@link AppDeps.ollamaStatus}: a few seconds old at most while polled (`ollama.checkedAt` says when it was taken),
 * or asked for now when the request says `Cache-Control: no-cache` (the web client's banner does).
 */
export function createHealthRoutes(deps: AppDeps) {
  return new Hono().get(
    "/health",
    describeRoute({
      tags: ["System"],
      summary: "Server and Ollama status",
      description:
        "Ollama's status is the latest one asked for (a few seconds old at most while polled; `ollama.checkedAt`); send `Cache-Control: no-cache` to have Ollama asked now.",
      responses: {
        200: jsonResponse("ok when Ollama answers and has both models, else degraded", healthSchema),
      },
    }),
    async (c) => {
      const fresh = /(^|,)\s*no-cache\s*(,|$)/i.test(c.req.header("cache-control") ?? "");
      const ollama = await deps.ollamaStatus.current({ fresh });
      const missingModels = ollama.reachable
        ? [ollama.chatModel, ollama.embedModel].filter((model) => !model.available).map((model) => model.name)
        : [];
      const healthy = ollama.reachable && missingModels.length === 0;
      return c.json(
        { status: healthy ? ("ok" as const) : ("degraded" as const), ollama, missingModels },
        200,
      );
    },
  );
}
