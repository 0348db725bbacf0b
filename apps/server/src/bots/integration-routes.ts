import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { type AuditLog, clientAddress, type Permissions } from "../auth/index.js";
import { validationError } from "../errors.js";
import { errorResponse, jsonResponse } from "../routes/schemas.js";
import { validate } from "../routes/validation.js";
import { type IntegrationRecord, type IntegrationStore, maskSecret } from "./integration-store.js";
import { botPlatforms, callbackPath, platformFields } from "./platforms.js";

const nameSchema = z.string().trim().min(1).max(200);
const modeSchema = z
  .enum(["query", "chat"])
  .describe(
    "query: only from the documents, refusing when nothing relevant is found (default); chat: may add more",
  );

const createSchema = z.discriminatedUnion("platform", [
  z.object({
    platform: z.literal("slack"),
    name: nameSchema,
    mode: modeSchema.optional(),
    settings: platformFields.slack.settings.default({}),
    secrets: platformFields.slack.secrets,
  }),
  z.object({
    platform: z.literal("feishu"),
    name: nameSchema,
    mode: modeSchema.optional(),
    settings: platformFields.feishu.settings,
    secrets: platformFields.feishu.secrets,
  }),
  z.object({
    platform: z.literal("dingtalk"),
    name: nameSchema,
    mode: modeSchema.optional(),
    settings: platformFields.dingtalk.settings.default({}),
    secrets: platformFields.dingtalk.secrets,
  }),
  z.object({
    platform: z.literal("wecom"),
    name: nameSchema,
    mode: modeSchema.optional(),
    settings: platformFields.wecom.settings,
    secrets: platformFields.wecom.secrets,
  }),
]);

const updateSchema = z.object({
  name: nameSchema.optional(),
  mode: modeSchema.optional(),
  settings: z
    .record(z.string(), z.string())
    .optional()
    .describe("Fields to change; the platform's other settings stay"),
  secrets: z
    .record(z.string(), z.string())
    .optional()
    .describe("Secrets to replace; those not given stay as stored"),
  enabled: z
    .boolean()
    .optional()
    .describe(
      "false switches the bot off: its callbacks are still verified and acknowledged, but not answered",
    ),
});

const integrationSchema = z.object({
  id: z.string(),
  platform: z.enum(botPlatforms),
  name: z.string(),
  mode: z.enum(["query", "chat"]),
  settings: z.record(z.string(), z.string()),
  secrets: z.record(z.string(), z.string()).describe("Masked: never more than the last four characters"),
  callbackUrl: z
    .string()
    .describe("Where to point the platform's event subscription; a path when PUBLIC_URL is not set"),
  enabled: z.boolean().describe("false while an admin has switched the bot off"),
  lastActivityAt: z.string().nullable().describe("When the bot last took a question; null: never"),
  lastError: z
    .string()
    .nullable()
    .describe(
      "Why answering the last question failed (the platform's or Ollama's error); null when it was answered",
    ),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** Options of {@link createIntegrationRoutes}. */
export interface IntegrationRoutesOptions {
  integrations: IntegrationStore;
  permissions: Permissions;
  audit: AuditLog;
  /** `PUBLIC_URL`, to give the full callback URL. */
  publicUrl?: string | undefined;
}

/**
 * `/workspaces/:slug/integrations`: an admin connects, changes and disconnects the workspace's chat bots (Slack,
 * Feishu/Lark, DingTalk, WeCom). Secrets are accepted, stored encrypted and only ever answered masked; every change
 * is in the audit log, without secrets.
 */
export function createIntegrationRoutes(options: IntegrationRoutesOptions) {
  const { integrations, permissions, audit } = options;

  const toWire = (record: IntegrationRecord): z.infer<typeof integrationSchema> => ({
    id: record.id,
    platform: record.platform,
    name: record.name,
    mode: record.mode,
    settings: record.settings,
    secrets: Object.fromEntries(
      Object.entries(record.secrets).map(([key, value]) => [key, maskSecret(value)]),
    ),
    callbackUrl: `${options.publicUrl ?? ""}${callbackPath(record.platform, record.id)}`,
    enabled: record.enabled,
    lastActivityAt: record.lastActivityAt,
    lastError: record.lastError,
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  });

  /** The workspace an admin manages bots of. */
  const adminWorkspace = (auth: Parameters<Permissions["requireAdmin"]>[0], slug: string) => {
    permissions.requireAdmin(auth);
    return permissions.requireWorkspace(auth, slug, "owner").workspace;
  };

  const notFound = (id: string) =>
    new ZhikuError("not_found:integration", `No integration ${id} in this workspace`);

  return new Hono()
    .get(
      "/workspaces/:slug/integrations",
      describeRoute({
        tags: ["Workspaces"],
        summary: "The workspace's chat bots, secrets masked (admins)",
        responses: {
          200: jsonResponse("The bots", z.object({ integrations: z.array(integrationSchema) })),
          403: errorResponse("Not an admin"),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => {
        const workspace = adminWorkspace(c.get("auth"), c.req.param("slug"));
        return c.json({ integrations: integrations.list(workspace.id).map(toWire) }, 200);
      },
    )
    .post(
      "/workspaces/:slug/integrations",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Connect a chat bot with the credentials its platform issued (admins)",
        responses: {
          201: jsonResponse("The bot, secrets masked", z.object({ integration: integrationSchema })),
          400: errorResponse("A missing or invalid field, named"),
          403: errorResponse("Not an admin"),
          404: errorResponse("No such workspace"),
        },
      }),
      validate("json", createSchema),
      (c) => {
        const auth = c.get("auth");
        const workspace = adminWorkspace(auth, c.req.param("slug"));
        const input = c.req.valid("json");
        const record = integrations.create({
          workspaceId: workspace.id,
          platform: input.platform,
          name: input.name,
          mode: input.mode ?? "query",
          settings: input.settings as Record<string, string>,
          secrets: input.secrets as Record<string, string>,
          createdBy: auth.user.id,
        });
        audit.record({
          actor: auth.user,
          action: "integration.created",
          target: workspace.slug,
          details: {
            integrationId: record.id,
            platform: record.platform,
            name: record.name,
            mode: record.mode,
          },
          ip: clientAddress(c),
        });
        return c.json({ integration: toWire(record) }, 201);
      },
    )
    .patch(
      "/workspaces/:slug/integrations/:id",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Change a chat bot's name, mode, settings or secrets, or switch it off and on (admins)",
        responses: {
          200: jsonResponse("The bot, secrets masked", z.object({ integration: integrationSchema })),
          400: errorResponse("A field the platform does not have, or an invalid value"),
          403: errorResponse("Not an admin"),
          404: errorResponse("No such workspace or bot"),
        },
      }),
      validate("json", updateSchema),
      (c) => {
        const auth = c.get("auth");
        const workspace = adminWorkspace(auth, c.req.param("slug"));
        const existing = integrations.find(workspace.id, c.req.param("id"));
        if (!existing) throw notFound(c.req.param("id"));
        const input = c.req.valid("json");
        const fields = platformFields[existing.platform];
        const settings = fields.settings.safeParse({ ...existing.settings, ...input.settings });
        if (!settings.success) throw validationError("settings", prefixed("settings", settings.error.issues));
        const secrets = fields.secrets.safeParse({ ...existing.secrets, ...input.secrets });
        if (!secrets.success) throw validationError("secrets", prefixed("secrets", secrets.error.issues));
        const record = integrations.update(existing, {
          name: input.name,
          mode: input.mode,
          settings: settings.data as Record<string, string>,
          secrets: secrets.data as Record<string, string>,
          enabled: input.enabled,
        });
        audit.record({
          actor: auth.user,
          action: "integration.updated",
          target: workspace.slug,
          details: {
            integrationId: record.id,
            platform: record.platform,
            name: record.name,
            mode: record.mode,
            // Which fields changed, never their values for secrets.
            changed: [
              ...(input.name === undefined ? [] : ["name"]),
              ...(input.mode === undefined ? [] : ["mode"]),
              ...(input.enabled === undefined ? [] : ["enabled"]),
              ...Object.keys(input.settings ?? {}).map((key) => `settings.${key}`),
              ...Object.keys(input.secrets ?? {}).map((key) => `secrets.${key}`),
            ],
          },
          ip: clientAddress(c),
        });
        return c.json({ integration: toWire(record) }, 200);
      },
    )
    .delete(
      "/workspaces/:slug/integrations/:id",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Disconnect a chat bot; its callbacks are refused at once (admins)",
        responses: {
          204: { description: "Disconnected" },
          403: errorResponse("Not an admin"),
          404: errorResponse("No such workspace or bot"),
        },
      }),
      (c) => {
        const auth = c.get("auth");
        const workspace = adminWorkspace(auth, c.req.param("slug"));
        const deleted = integrations.delete(workspace.id, c.req.param("id"));
        if (!deleted) throw notFound(c.req.param("id"));
        audit.record({
          actor: auth.user,
          action: "integration.deleted",
          target: workspace.slug,
          details: { integrationId: deleted.id, platform: deleted.platform, name: deleted.name },
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    );
}

/** Issues of a nested schema with the body field they are under, so the error names `secrets.encodingAesKey`. */
function prefixed(field: string, issues: readonly z.core.$ZodIssue[]) {
  return issues.map((issue) => ({ ...issue, path: [field, ...issue.path] }));
}
