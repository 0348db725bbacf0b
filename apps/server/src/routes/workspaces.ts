import type { WorkspaceSettings } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { errorResponse, jsonResponse, workspaceSchema, workspaceSettingsSchema } from "./schemas.js";
import { validate } from "./validation.js";

const slugSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{0,62}$/,
    "use 1-63 lowercase letters, digits and hyphens, starting with a letter or digit",
  );

const createWorkspaceSchema = z.object({
  name: z.string().trim().min(1).max(200),
  slug: slugSchema.optional(),
  settings: workspaceSettingsSchema.optional(),
});

/** Settings patch: a field set to null goes back to the default. */
const settingsPatchSchema = z
  .object(
    Object.fromEntries(
      Object.entries(workspaceSettingsSchema.shape).map(([key, schema]) => [key, schema.nullable()]),
    ) as {
      [Key in keyof typeof workspaceSettingsSchema.shape]: z.ZodNullable<
        (typeof workspaceSettingsSchema.shape)[Key]
      >;
    },
  )
  .partial()
  .strict();

const updateWorkspaceSchema = z.object({
  name: z.string().trim().min(1).max(200).optional(),
  settings: settingsPatchSchema.optional(),
});

/** `/workspaces`: list, create, read, update settings, delete (with all documents, jobs and threads). */
export function createWorkspaceRoutes(deps: AppDeps) {
  const { kb, jobs } = deps;
  return new Hono()
    .get(
      "/workspaces",
      describeRoute({
        tags: ["Workspaces"],
        summary: "List workspaces",
        responses: {
          200: jsonResponse("All workspaces", z.object({ workspaces: z.array(workspaceSchema) })),
        },
      }),
      (c) => c.json({ workspaces: kb.listWorkspaces() }, 200),
    )
    .post(
      "/workspaces",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Create a workspace",
        responses: {
          201: jsonResponse("The new workspace", z.object({ workspace: workspaceSchema })),
          400: errorResponse("Invalid name, slug or settings"),
          409: errorResponse("The slug is taken"),
        },
      }),
      validate("json", createWorkspaceSchema),
      (c) => {
        const input = c.req.valid("json");
        const workspace = kb.createWorkspace({
          name: input.name,
          ...(input.slug ? { slug: input.slug } : {}),
          ...(input.settings ? { settings: input.settings } : {}),
        });
        return c.json({ workspace }, 201);
      },
    )
    .get(
      "/workspaces/:slug",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Read a workspace",
        responses: {
          200: jsonResponse("The workspace", z.object({ workspace: workspaceSchema })),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => c.json({ workspace: kb.requireWorkspace(c.req.param("slug")) }, 200),
    )
    .patch(
      "/workspaces/:slug",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Rename a workspace or change its settings",
        description:
          "Settings are merged into the current ones; a setting set to null returns to its default.",
        responses: {
          200: jsonResponse("The updated workspace", z.object({ workspace: workspaceSchema })),
          400: errorResponse("Invalid name or settings"),
          404: errorResponse("No such workspace"),
        },
      }),
      validate("json", updateWorkspaceSchema),
      (c) => {
        const slug = c.req.param("slug");
        const patch = c.req.valid("json");
        // The knowledge base merges settings into the current ones and drops null fields (back to defaults).
        const settings = patch.settings as WorkspaceSettings | undefined;
        const workspace = kb.updateWorkspace(slug, {
          ...(patch.name ? { name: patch.name } : {}),
          ...(settings ? { settings } : {}),
        });
        return c.json({ workspace }, 200);
      },
    )
    .delete(
      "/workspaces/:slug",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Delete a workspace with its documents, vectors, jobs and threads",
        responses: { 204: { description: "Deleted" }, 404: errorResponse("No such workspace") },
      }),
      async (c) => {
        const workspace = kb.requireWorkspace(c.req.param("slug"));
        jobs.forgetWorkspace(workspace.id);
        // Messages and feedback go with their threads (ON DELETE CASCADE).
        kb.db.prepare("DELETE FROM threads WHERE workspace_id = ?").run(workspace.id);
        await kb.deleteWorkspace(workspace.slug);
        return c.body(null, 204);
      },
    );
}
