import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import type { AppDeps } from "../deps.js";

/**
 * `GET /metrics`: the server's metrics in Prometheus text format, from the registry in the app's dependencies
 * (requests, latencies, ingestion queue depth, documents by status, chats, tokens, process figures).
 */
export function createMetricsRoutes(deps: AppDeps) {
  const { registry } = deps.metrics;
  const { permissions } = deps.auth;
  return new Hono().get(
    "/metrics",
    describeRoute({
      tags: ["System"],
      summary: "Prometheus metrics (admins; scrape with an admin API key as bearer token)",
      responses: {
        200: {
          description: "Metrics in the Prometheus text exposition format",
          content: { "text/plain": { schema: { type: "string" } } },
        },
      },
    }),
    async (c) => {
      // Document counts and model names are not for every member: admins (or an unlimited admin key, for scrapers).
      permissions.requireAdmin(c.get("auth"));
      const body = await registry.metrics();
      return c.body(body, 200, { "content-type": registry.contentType });
    },
  );
}
