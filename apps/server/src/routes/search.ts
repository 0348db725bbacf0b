import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errorResponse, jsonResponse, rerankSummarySchema, searchResultSchema } from "./schemas.js";
import { validate } from "./validation.js";

const searchRequestSchema = z.object({
  query: z.string().trim().min(1).max(4_000),
  limit: z.int().min(1).max(100).optional(),
  mode: z.enum(["hybrid", "vector", "fulltext"]).optional(),
  documentIds: z.array(z.string().min(1)).max(1_000).optional(),
  rerank: z
    .boolean()
    .optional()
    .describe("Rerank the candidates when a reranker is configured (RERANK_URL); default true"),
});

/**
 * `POST /workspaces/:slug/search`: hybrid search by default. When Ollama is unreachable hybrid search
 * falls back to full text and `mode` says so; asking for `vector` then fails with 503. With a reranker configured
 * the results are in its order, each with its `rerankScore`, and `rerank` says whether it answered.
 */
export function createSearchRoutes(deps: AppDeps) {
  const { kb } = deps;
  const { permissions } = deps.auth;
  return new Hono().post(
    "/workspaces/:slug/search",
    describeRoute({
      tags: ["Search"],
      summary: "Search a workspace",
      responses: {
        200: jsonResponse(
          "Hits, best first, the mode actually used and, with a reranker, whether it ordered them",
          z.object({
            results: z.array(searchResultSchema),
            mode: z.enum(["hybrid", "vector", "fulltext"]),
            rerank: rerankSummarySchema.optional(),
          }),
        ),
        400: errorResponse("Invalid query, limit or mode"),
        404: errorResponse("No such workspace"),
        503: errorResponse("Vector search needs Ollama, which is unreachable"),
      },
    }),
    validate("json", searchRequestSchema),
    async (c) => {
      const slug = c.req.param("slug");
      permissions.requireWorkspace(c.get("auth"), slug, "viewer");
      const input = c.req.valid("json");
      const { results, mode, rerank } = await kb.search({
        workspace: slug,
        query: input.query,
        ...(input.limit === undefined ? {} : { limit: input.limit }),
        ...(input.mode === undefined ? {} : { mode: input.mode }),
        ...(input.documentIds === undefined ? {} : { documentIds: input.documentIds }),
        ...(input.rerank === undefined ? {} : { rerank: input.rerank }),
      });
      return c.json({ results, mode, ...(rerank === undefined ? {} : { rerank }) }, 200);
    },
  );
}
