import type { WorkspaceRecord } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { type Authenticated, clientAddress } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { validationError } from "../errors.js";
import {
  folderConfigSchema,
  gitConfigSchema,
  type SourceRecord,
  type SourceSpec,
  sourceKinds,
  websiteConfigSchema,
} from "../services/sources/index.js";
import { errorResponse, jsonResponse } from "./schemas.js";
import { validate } from "./validation.js";

/** Minutes between scheduled syncs: 0 (on demand only) or 5 minutes to a week. */
const intervalSchema = z
  .int()
  .min(0)
  .max(10_080)
  .refine((minutes) => minutes === 0 || minutes >= 5, "expected 0 (on demand only) or 5 to 10080 minutes")
  .describe("Minutes between scheduled syncs; 0 syncs only on demand (a folder also when it changes)");

const nameSchema = z.string().trim().min(1).max(200);

const createSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("folder"), config: folderConfigSchema }),
  z.object({ kind: z.literal("website"), config: websiteConfigSchema }),
  z.object({ kind: z.literal("git"), config: gitConfigSchema }),
]);

const createBodySchema = z.intersection(
  createSchema,
  z.object({
    name: nameSchema
      .optional()
      .describe(
        "Shown in lists and put before the documents' paths; the folder's, site's or repository's name when omitted",
      ),
    intervalMinutes: intervalSchema.default(60),
  }),
);

const patchBodySchema = z
  .object({
    name: nameSchema,
    config: z.record(z.string(), z.unknown()).describe("The kind's settings, all of them, as on creation"),
    intervalMinutes: intervalSchema,
  })
  .partial();

const configSchemas = { folder: folderConfigSchema, website: websiteConfigSchema, git: gitConfigSchema };

const lastSyncSchema = z.object({
  status: z.enum(["running", "done", "failed"]),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  added: z.number().describe("Items new to the workspace, queued for ingestion"),
  updated: z.number().describe("Items whose content changed, queued for ingestion"),
  deleted: z.number().describe("Documents deleted because their item vanished"),
  unchanged: z.number().describe("Items whose content was ingested already, skipped"),
  failed: z.number().describe("Items that could not be read or fetched; their documents are kept"),
  error: z
    .string()
    .nullable()
    .describe("The last failing item (`key: reason`), or why the whole sync failed"),
});

const sourceSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  kind: z.enum(sourceKinds),
  config: z.record(z.string(), z.unknown()).describe("The kind's settings"),
  intervalMinutes: z.number(),
  createdAt: z.string(),
  updatedAt: z.string(),
  lastSync: lastSyncSchema.nullable().describe("Null before the first sync"),
  documents: z.number().describe("Documents the source holds in the workspace"),
});

/**
 * `/workspaces/:slug/sources`: folders on the server, websites and Git branches a workspace keeps in sync. Viewers
 * list them; editors add, change, delete and sync them (a folder source, which reads the server's disk, only an
 * admin adds or points elsewhere). A sync runs in the background (202); its outcome is the source's `lastSync`.
 */
export function createSourceRoutes(deps: AppDeps) {
  const { sources } = deps;
  const { permissions, audit } = deps.auth;

  const toWire = (source: SourceRecord) => ({
    ...source,
    config: source.config as Record<string, unknown>,
    documents: sources.store.countDocuments(source.id),
  });
  const requireSource = (auth: Authenticated, slug: string, id: string, minimum: "viewer" | "editor") => {
    const { workspace } = permissions.requireWorkspace(auth, slug, minimum);
    return { workspace, source: sources.require(workspace, id) };
  };
  const target = (workspace: WorkspaceRecord, source: SourceRecord) => `${workspace.slug}/${source.name}`;

  return new Hono()
    .get(
      "/workspaces/:slug/sources",
      describeRoute({
        tags: ["Sources"],
        summary: "The workspace's sources with their last sync",
        responses: {
          200: jsonResponse("Sources, by name", z.object({ sources: z.array(sourceSchema) })),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => {
        const { workspace } = permissions.requireWorkspace(c.get("auth"), c.req.param("slug"), "viewer");
        return c.json({ sources: sources.list(workspace).map(toWire) }, 200);
      },
    )
    .post(
      "/workspaces/:slug/sources",
      describeRoute({
        tags: ["Sources"],
        summary: "Add a folder, website or Git source (it syncs on its schedule, or now with …/sync)",
        description:
          "Folders must lie under SOURCE_FOLDER_ROOTS and only admins add them; websites and repositories on internal addresses need URL_ALLOWLIST. Needs the editor role.",
        responses: {
          201: jsonResponse("The source", z.object({ source: sourceSchema })),
          400: errorResponse("A field is missing or wrong; the code names it (invalid:config.url)"),
          403: errorResponse(
            "A folder outside SOURCE_FOLDER_ROOTS, an internal address, or not an admin (folders)",
          ),
          404: errorResponse("No such workspace"),
        },
      }),
      validate("json", createBodySchema),
      async (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "editor");
        const body = c.req.valid("json");
        if (body.kind === "folder") permissions.requireAdmin(auth);
        const source = await sources.create({
          workspace,
          spec: { kind: body.kind, config: body.config } as SourceSpec,
          name: body.name,
          intervalMinutes: body.intervalMinutes,
          createdBy: auth.user.id,
        });
        audit.record({
          actor: auth.user,
          action: "source.created",
          target: target(workspace, source),
          details: { sourceId: source.id, kind: source.kind, config: source.config },
          ip: clientAddress(c),
        });
        return c.json({ source: toWire(source) }, 201);
      },
    )
    .get(
      "/workspaces/:slug/sources/:id",
      describeRoute({
        tags: ["Sources"],
        summary: "A source with its last sync",
        responses: {
          200: jsonResponse("The source", z.object({ source: sourceSchema })),
          404: errorResponse("No such workspace or source"),
        },
      }),
      (c) => {
        const { source } = requireSource(c.get("auth"), c.req.param("slug"), c.req.param("id"), "viewer");
        return c.json({ source: toWire(source) }, 200);
      },
    )
    .patch(
      "/workspaces/:slug/sources/:id",
      describeRoute({
        tags: ["Sources"],
        summary: "Rename a source, change its settings or its schedule",
        description:
          "`config` replaces the settings whole and is checked as on creation; the next sync brings the documents in line.",
        responses: {
          200: jsonResponse("The source", z.object({ source: sourceSchema })),
          400: errorResponse("A field is wrong; the code names it"),
          403: errorResponse("As on creation"),
          404: errorResponse("No such workspace or source"),
        },
      }),
      validate("json", patchBodySchema),
      async (c) => {
        const auth = c.get("auth");
        const { workspace, source } = requireSource(auth, c.req.param("slug"), c.req.param("id"), "editor");
        const body = c.req.valid("json");
        let config: SourceSpec["config"] | undefined;
        if (body.config !== undefined) {
          const parsed = configSchemas[source.kind].safeParse(body.config);
          if (!parsed.success) {
            throw validationError(
              "json",
              parsed.error.issues.map((issue) => ({ ...issue, path: ["config", ...issue.path] })),
            );
          }
          if (source.kind === "folder") permissions.requireAdmin(auth);
          config = parsed.data;
        }
        const updated = await sources.update(source, {
          name: body.name,
          config,
          intervalMinutes: body.intervalMinutes,
        });
        audit.record({
          actor: auth.user,
          action: "source.updated",
          target: target(workspace, updated),
          details: { sourceId: source.id, changed: Object.keys(body) },
          ip: clientAddress(c),
        });
        return c.json({ source: toWire(updated) }, 200);
      },
    )
    .delete(
      "/workspaces/:slug/sources/:id",
      describeRoute({
        tags: ["Sources"],
        summary: "Delete a source with the documents it brought in",
        responses: { 204: { description: "Deleted" }, 404: errorResponse("No such workspace or source") },
      }),
      async (c) => {
        const auth = c.get("auth");
        const { workspace, source } = requireSource(auth, c.req.param("slug"), c.req.param("id"), "editor");
        const { documents } = await sources.delete(source, workspace);
        audit.record({
          actor: auth.user,
          action: "source.deleted",
          target: target(workspace, source),
          details: { sourceId: source.id, documents },
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    )
    .post(
      "/workspaces/:slug/sources/:id/sync",
      describeRoute({
        tags: ["Sources"],
        summary: "Sync a source now",
        description:
          "Starts the sync in the background; `lastSync` of the source says how it went (poll it or watch the documents' events stream).",
        responses: {
          202: jsonResponse("The source, its lastSync running", z.object({ source: sourceSchema })),
          404: errorResponse("No such workspace or source"),
          409: errorResponse("A sync of this source is running (conflict:source_sync)"),
        },
      }),
      (c) => {
        const auth = c.get("auth");
        const { workspace, source } = requireSource(auth, c.req.param("slug"), c.req.param("id"), "editor");
        const started = sources.startSync(source);
        audit.record({
          actor: auth.user,
          action: "source.synced",
          target: target(workspace, source),
          details: { sourceId: source.id },
          ip: clientAddress(c),
        });
        return c.json({ source: toWire(started) }, 202);
      },
    );
}
