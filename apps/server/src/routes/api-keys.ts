import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { type ApiKeyRecord, clientAddress } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { errorResponse, jsonResponse } from "./schemas.js";
import { validate } from "./validation.js";

const apiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  workspace: z.string().nullable().describe("Slug of the one workspace the key may reach, or null for all"),
  prefix: z.string().describe("The key's first characters"),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
});

/**
 * `/api-keys`: one's own keys (listed without the secret), create (the key is shown once), revoke (admins: any key,
 * listed per user at `/users/:id/api-keys`). Sessions only.
 */
export function createApiKeyRoutes(deps: AppDeps) {
  const { kb } = deps;
  const { accounts, audit, permissions } = deps.auth;
  const toWire = (key: ApiKeyRecord, slugs: Map<string, string>) => ({
    id: key.id,
    name: key.name,
    workspace: key.workspaceId ? (slugs.get(key.workspaceId) ?? null) : null,
    prefix: key.prefix,
    createdAt: key.createdAt,
    lastUsedAt: key.lastUsedAt,
  });
  const slugsById = () => new Map(kb.listWorkspaces().map((workspace) => [workspace.id, workspace.slug]));
  return new Hono()
    .get(
      "/api-keys",
      describeRoute({
        tags: ["Accounts"],
        summary: "Your API keys",
        responses: { 200: jsonResponse("Keys", z.object({ apiKeys: z.array(apiKeySchema) })) },
      }),
      (c) => {
        const auth = c.get("auth");
        permissions.requireSession(auth);
        const slugs = slugsById();
        return c.json({ apiKeys: accounts.listApiKeys(auth.user.id).map((key) => toWire(key, slugs)) }, 200);
      },
    )
    .get(
      "/users/:id/api-keys",
      describeRoute({
        tags: ["Accounts"],
        summary: "A user's API keys (admins), to revoke one with DELETE /api-keys/{id}",
        responses: {
          200: jsonResponse("Keys", z.object({ apiKeys: z.array(apiKeySchema) })),
          403: errorResponse("Not an admin"),
          404: errorResponse("No such user"),
        },
      }),
      (c) => {
        permissions.requireAdmin(c.get("auth"));
        const id = c.req.param("id");
        if (!accounts.getUser(id)) throw new ZhikuError("not_found:user", `No user with id "${id}"`);
        const slugs = slugsById();
        return c.json({ apiKeys: accounts.listApiKeys(id).map((key) => toWire(key, slugs)) }, 200);
      },
    )
    .post(
      "/api-keys",
      describeRoute({
        tags: ["Accounts"],
        summary: "Create an API key, optionally limited to one workspace; the key is in this answer only",
        responses: {
          201: jsonResponse("The key", z.object({ apiKey: apiKeySchema, key: z.string() })),
          404: errorResponse("No such workspace"),
        },
      }),
      validate(
        "json",
        z.object({
          name: z.string().trim().min(1).max(200),
          workspace: z.string().min(1).max(100).nullish(),
        }),
      ),
      (c) => {
        const auth = c.get("auth");
        permissions.requireSession(auth);
        const input = c.req.valid("json");
        const workspace = input.workspace
          ? permissions.requireWorkspace(auth, input.workspace, "viewer").workspace
          : undefined;
        const { apiKey, key } = accounts.createApiKey({
          userId: auth.user.id,
          name: input.name,
          workspaceId: workspace?.id ?? null,
        });
        audit.record({
          actor: auth.user,
          action: "api_key.created",
          target: apiKey.prefix,
          details: { name: apiKey.name, workspace: workspace?.slug ?? null },
          ip: clientAddress(c),
        });
        return c.json({ apiKey: toWire(apiKey, slugsById()), key }, 201);
      },
    )
    .delete(
      "/api-keys/:id",
      describeRoute({
        tags: ["Accounts"],
        summary: "Revoke one of your API keys (admins: anyone's); it stops working at once",
        responses: { 204: { description: "Revoked" }, 404: errorResponse("No such key of yours") },
      }),
      (c) => {
        const auth = c.get("auth");
        permissions.requireSession(auth);
        const id = c.req.param("id");
        const key = accounts.getApiKey(id);
        const mayRevoke = key && (key.userId === auth.user.id || auth.user.role === "admin");
        if (!key || !mayRevoke || !accounts.revokeApiKey(key.userId, id)) {
          throw new ZhikuError("not_found:api_key", `You have no API key with id "${id}"`);
        }
        audit.record({
          actor: auth.user,
          action: "api_key.revoked",
          target: key.prefix,
          details: {
            name: key.name,
            ...(key.userId === auth.user.id ? {} : { owner: accounts.getUser(key.userId)?.email ?? null }),
          },
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    );
}
