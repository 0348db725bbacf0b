import { type WorkspaceSettings, ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { clientAddress, type WorkspaceRole } from "../auth/index.js";
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

const memberSchema = z.object({
  userId: z.string(),
  email: z.string(),
  role: z.enum(["owner", "editor", "viewer"]),
});

/** A workspace with the caller's role in it. */
function withRole<Workspace extends object>(workspace: Workspace, myRole: WorkspaceRole) {
  return { ...workspace, myRole };
}

/**
 * `/workspaces`: list (those the caller may see), create (the creator becomes owner), read, update settings, delete
 * (with all documents, jobs and threads), and members (owners and admins).
 */
export function createWorkspaceRoutes(deps: AppDeps) {
  const { kb, workspaceDeletion } = deps;
  const { accounts, audit, permissions } = deps.auth;
  return new Hono()
    .get(
      "/workspaces",
      describeRoute({
        tags: ["Workspaces"],
        summary: "List workspaces",
        responses: {
          200: jsonResponse("The workspaces you may see", z.object({ workspaces: z.array(workspaceSchema) })),
        },
      }),
      (c) =>
        c.json(
          {
            workspaces: permissions
              .visibleWorkspaces(c.get("auth"))
              .map(({ workspace, role }) => withRole(workspace, role)),
          },
          200,
        ),
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
        const auth = c.get("auth");
        permissions.requireUnlimited(auth);
        const input = c.req.valid("json");
        const workspace = kb.createWorkspace({
          name: input.name,
          ...(input.slug ? { slug: input.slug } : {}),
          ...(input.settings ? { settings: input.settings } : {}),
        });
        accounts.setMember({ workspaceId: workspace.id, userId: auth.user.id, role: "owner" });
        audit.record({
          actor: auth.user,
          action: "workspace.created",
          target: workspace.slug,
          ip: clientAddress(c),
        });
        return c.json({ workspace: withRole(workspace, "owner") }, 201);
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
      (c) => {
        const { workspace, role } = permissions.requireWorkspace(
          c.get("auth"),
          c.req.param("slug"),
          "viewer",
        );
        return c.json({ workspace: withRole(workspace, role) }, 200);
      },
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
        const auth = c.get("auth");
        const { role } = permissions.requireWorkspace(auth, c.req.param("slug"), "owner");
        const slug = c.req.param("slug");
        const patch = c.req.valid("json");
        // The knowledge base merges settings into the current ones and drops null fields (back to defaults).
        const settings = patch.settings as WorkspaceSettings | undefined;
        const workspace = kb.updateWorkspace(slug, {
          ...(patch.name ? { name: patch.name } : {}),
          ...(settings ? { settings } : {}),
        });
        audit.record({
          actor: auth.user,
          action: "workspace.updated",
          target: workspace.slug,
          details: {
            ...(patch.name ? { name: patch.name } : {}),
            ...(patch.settings ? { settings: patch.settings } : {}),
          },
          ip: clientAddress(c),
        });
        return c.json({ workspace: withRole(workspace, role) }, 200);
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
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "owner");
        await workspaceDeletion.delete(workspace);
        audit.record({
          actor: auth.user,
          action: "workspace.deleted",
          target: workspace.slug,
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    )
    .get(
      "/workspaces/:slug/members",
      describeRoute({
        tags: ["Workspaces"],
        summary: "The workspace's members (owners and admins)",
        responses: {
          200: jsonResponse("Members", z.object({ members: z.array(memberSchema) })),
          403: errorResponse("Not an owner"),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => {
        const { workspace } = permissions.requireWorkspace(c.get("auth"), c.req.param("slug"), "owner");
        return c.json({ members: accounts.listMembers(workspace.id) }, 200);
      },
    )
    .post(
      "/workspaces/:slug/members",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Share the workspace with a user, or change their role (owners and admins)",
        responses: {
          201: jsonResponse("The member", z.object({ member: memberSchema })),
          403: errorResponse("Not an owner"),
          404: errorResponse("No such workspace or user"),
        },
      }),
      validate(
        "json",
        z.object({ email: z.string().trim().min(1).max(320), role: z.enum(["owner", "editor", "viewer"]) }),
      ),
      (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "owner");
        const input = c.req.valid("json");
        const user = accounts.findCredentials(input.email)?.user;
        if (!user)
          throw new ZhikuError(
            "not_found:user",
            `No user with email ${input.email}; an admin creates it first`,
          );
        accounts.setMember({ workspaceId: workspace.id, userId: user.id, role: input.role });
        audit.record({
          actor: auth.user,
          action: "member.added",
          target: `${workspace.slug}/${user.email}`,
          details: { role: input.role },
          ip: clientAddress(c),
        });
        return c.json({ member: { userId: user.id, email: user.email, role: input.role } }, 201);
      },
    )
    .delete(
      "/workspaces/:slug/members/:userId",
      describeRoute({
        tags: ["Workspaces"],
        summary: "Stop sharing the workspace with a user (owners and admins)",
        responses: {
          204: { description: "Removed" },
          403: errorResponse("Not an owner"),
          404: errorResponse("No such workspace or member"),
        },
      }),
      (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "owner");
        const userId = c.req.param("userId");
        const email = accounts.getUser(userId)?.email ?? userId;
        if (!accounts.removeMember(workspace.id, userId)) {
          throw new ZhikuError("not_found:member", `User ${userId} is not a member of ${workspace.slug}`);
        }
        audit.record({
          actor: auth.user,
          action: "member.removed",
          target: `${workspace.slug}/${email}`,
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    );
}
