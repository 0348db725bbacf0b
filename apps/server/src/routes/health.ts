import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { AppDeps } from "../deps.js";
import { checkOllamaStatus } from "../services/ollama.js";
import { healthSchema, jsonResponse } from "./schemas.js";

/** `GET /health`: whether Ollama answers and has the configured models. Always 200; `degraded` says what is missing. */
export function createHealthRoutes(deps: AppDeps) {
  return new Hono().get(
    "/health",
    describeRoute({
      tags: ["System"],
      summary: "Server and Ollama status",
      responses: {
        200: jsonResponse("ok when Ollama answers and has both models, else degraded", healthSchema),
      },
    }),
    async (c) => {
      const ollama = await checkOllamaStatus({
        ollama: deps.ollama,
        chatModel: deps.config.chatModel,
        embedModel: deps.config.embedModel,
      });
      const healthy = ollama.reachable && ollama.chatModel.available && ollama.embedModel.available;
      return c.json({ status: healthy ? ("ok" as const) : ("degraded" as const), ollama }, 200);
    },
  );
}
