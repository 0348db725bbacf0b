import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errorResponse, jsonResponse } from "./schemas.js";
import { validate } from "./validation.js";

const auditEventSchema = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.object({ id: z.string(), email: z.string() }).nullable(),
  action: z.string(),
  target: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  ip: z.string().nullable(),
});

/** `GET /audit` (admins): sign-ins, account and permission changes, uploads and deletions, newest first. */
export function createAuditRoutes(deps: AppDeps) {
  const { audit, permissions } = deps.auth;
  return new Hono().get(
    "/audit",
    describeRoute({
      tags: ["Accounts"],
      summary: "The audit log, newest first (admins); page with `before` = the last id seen",
      responses: {
        200: jsonResponse("Events", z.object({ events: z.array(auditEventSchema) })),
        403: errorResponse("Not an admin"),
      },
    }),
    validate(
      "query",
      z.object({
        limit: z.coerce.number().int().min(1).max(1_000).optional(),
        before: z.coerce.number().int().min(1).optional(),
      }),
    ),
    (c) => {
      permissions.requireAdmin(c.get("auth"));
      const query = c.req.valid("query");
      return c.json({ events: audit.list({ limit: query.limit ?? 100, before: query.before }) }, 200);
    },
  );
}
