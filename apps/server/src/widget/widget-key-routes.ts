import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { type AuditLog, clientAddress, type Permissions } from "../auth/index.js";
import { AppError } from "../errors.js";
import { errorResponse, jsonResponse } from "../routes/schemas.js";
import { validate } from "../routes/validation.js";
import type { WidgetKeyRecord, WidgetKeyStore } from "./widget-key-store.js";

/** An origin as browsers send it: scheme, host and port only (`https://docs.example.com`). */
const originSchema = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}, "must be an origin such as https://docs.example.com (scheme, host and port; no path or trailing slash)");

const createSchema = z.object({
  name: z.string().trim().min(1).max(200),
  allowedOrigins: z.array(originSchema).min(1).max(50),
  requestsPerMinute: z.int().min(1).max(1_000).optional(),
});

const widgetKeySchema = z.object({
  id: z.string(),
  key: z.string(),
  name: z.string(),
  allowedOrigins: z.array(z.string()),
  requestsPerMinute: z.number(),
  createdAt: z.string(),
  revokedAt: z.string().nullable(),
});

function toWire(record: WidgetKeyRecord): z.infer<typeof widgetKeySchema> {
  return {
    id: record.id,
    key: record.key,
    name: record.name,
    allowedOrigins: record.allowedOrigins,
    requestsPerMinute: record.requestsPerMinute,
    createdAt: record.createdAt,
    revokedAt: record.revokedAt,
  };
}

/** Default questions a visitor may ask a minute. */
export const defaultWidgetRequestsPerMinute = 10;

/**
 * `/workspaces/:slug/widget-keys`: a workspace owner lists, creates and revokes the public keys that let pages on
 * the named origins embed the workspace's chat (`<script src=".../widget.js" data-key="zw_...">`).
 */
export function createWidgetKeyRoutes(options: {
  widgetKeys: WidgetKeyStore;
  permissions: Permissions;
  audit: AuditLog;
}) {
  const { widgetKeys, permissions, audit } = options;
  return new Hono()
    .get(
      "/workspaces/:slug/widget-keys",
      describeRoute({
        tags: ["Workspaces"],
        summary: "The workspace's chat widget keys (owners)",
        responses: {
          200: jsonResponse("The keys, newest first", z.object({ widgetKeys: z.array(widgetKeySchema) })),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => {
        const { workspace } = permissions.requireWorkspace(c.get("auth"), c.req.param("slug"), "owner");
        return c.json({ widgetKeys: widgetKeys.list(workspace.id).map(toWire) }, 200);
      },
    )
    .post(
      "/workspaces/:slug/widget-keys",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Create a public chat widget key for pages on the given origins (owners)",
        responses: {
          201: jsonResponse("The key", z.object({ widgetKey: widgetKeySchema })),
          400: errorResponse("Invalid name, origins or rate"),
          404: errorResponse("No such workspace"),
        },
      }),
      validate("json", createSchema),
      (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "owner");
        const input = c.req.valid("json");
        const record = widgetKeys.create({
          workspaceId: workspace.id,
          name: input.name,
          allowedOrigins: [...new Set(input.allowedOrigins)],
          requestsPerMinute: input.requestsPerMinute ?? defaultWidgetRequestsPerMinute,
          createdBy: auth.user.id,
        });
        audit.record({
          actor: auth.user,
          action: "widget_key.created",
          target: workspace.slug,
          details: {
            name: record.name,
            allowedOrigins: record.allowedOrigins,
            requestsPerMinute: record.requestsPerMinute,
          },
          ip: clientAddress(c),
        });
        return c.json({ widgetKey: toWire(record) }, 201);
      },
    )
    .delete(
      "/workspaces/:slug/widget-keys/:id",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Revoke a chat widget key; pages using it stop working at once (owners)",
        responses: { 204: { description: "Revoked" }, 404: errorResponse("No such workspace or key") },
      }),
      (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "owner");
        const revoked = widgetKeys.revoke(workspace.id, c.req.param("id"));
        if (!revoked)
          throw new AppError("not_found:widget_key", `No active widget key ${c.req.param("id")}`, 404);
        audit.record({
          actor: auth.user,
          action: "widget_key.revoked",
          target: workspace.slug,
          details: { name: revoked.name },
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    );
}
