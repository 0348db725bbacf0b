import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { clientAddress, type GuardedChange, hashPassword } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { emailSchema, passwordSchema } from "./auth.js";
import { errorResponse, jsonResponse, userSchema } from "./schemas.js";
import { validate } from "./validation.js";

const roleSchema = z.enum(["admin", "member"]);

/** `/users` (admins only): list, create, change role or reset password, delete. */
export function createUserRoutes(deps: AppDeps) {
  const { accounts, audit, permissions } = deps.auth;
  const requireUser = (id: string) => {
    const user = accounts.getUser(id);
    if (!user) throw new ZhikuError("not_found:user", `No user with id "${id}"`);
    return user;
  };
  /** The user a guarded change left, or the 404/409 it was refused with. */
  const guarded = (result: GuardedChange, id: string, lastAdminMessage: string) => {
    if ("user" in result) return result.user;
    if (result.refused === "not_found") throw new ZhikuError("not_found:user", `No user with id "${id}"`);
    throw new ZhikuError("conflict:last_admin", lastAdminMessage);
  };
  return new Hono()
    .get(
      "/users",
      describeRoute({
        tags: ["Accounts"],
        summary: "List users (admins)",
        responses: {
          200: jsonResponse("Users", z.object({ users: z.array(userSchema) })),
          403: errorResponse("Not an admin"),
        },
      }),
      (c) => {
        permissions.requireAdmin(c.get("auth"));
        return c.json({ users: accounts.listUsers() }, 200);
      },
    )
    .post(
      "/users",
      describeRoute({
        tags: ["Accounts"],
        summary: "Create a user (admins)",
        responses: {
          201: jsonResponse("The user", z.object({ user: userSchema })),
          403: errorResponse("Not an admin"),
          409: errorResponse("The email is taken"),
        },
      }),
      validate("json", z.object({ email: emailSchema, password: passwordSchema, role: roleSchema })),
      async (c) => {
        const auth = c.get("auth");
        permissions.requireAdmin(auth);
        const input = c.req.valid("json");
        const user = accounts.createUser({
          email: input.email,
          passwordHash: await hashPassword(input.password),
          role: input.role,
        });
        if (!user) throw new ZhikuError("conflict:user", `A user with email ${input.email} exists`);
        audit.record({
          actor: auth.user,
          action: "user.created",
          target: user.email,
          details: { role: user.role },
          ip: clientAddress(c),
        });
        return c.json({ user }, 201);
      },
    )
    .patch(
      "/users/:id",
      describeRoute({
        tags: ["Accounts"],
        summary:
          "Change a user's role or reset their password (admins); a reset signs the user out everywhere and revokes their API keys",
        responses: {
          200: jsonResponse("The user", z.object({ user: userSchema })),
          403: errorResponse("Not an admin"),
          404: errorResponse("No such user"),
          409: errorResponse("That would leave no admin"),
        },
      }),
      validate("json", z.object({ role: roleSchema.optional(), password: passwordSchema.optional() })),
      async (c) => {
        const auth = c.get("auth");
        permissions.requireAdmin(auth);
        const patch = c.req.valid("json");
        const user = requireUser(c.req.param("id"));
        // Hashed before the change, so the check and the change run in one short transaction.
        const passwordHash = patch.password ? await hashPassword(patch.password) : undefined;
        const result = accounts.updateUser(user.id, {
          ...(patch.role ? { role: patch.role } : {}),
          ...(passwordHash ? { passwordHash, revokeApiKeys: true } : {}),
        });
        const updated = guarded(
          result,
          user.id,
          "The last admin cannot become a member; make another admin first",
        );
        audit.record({
          actor: auth.user,
          action: "user.updated",
          target: user.email,
          details: {
            ...(patch.role ? { role: patch.role } : {}),
            ...(patch.password ? { passwordReset: true } : {}),
          },
          ip: clientAddress(c),
        });
        return c.json({ user: updated }, 200);
      },
    )
    .delete(
      "/users/:id",
      describeRoute({
        tags: ["Accounts"],
        summary:
          "Delete a user with their sessions, keys and memberships (admins; not yourself, not the last admin)",
        responses: {
          204: { description: "Deleted" },
          403: errorResponse("Not an admin"),
          404: errorResponse("No such user"),
          409: errorResponse("Yourself, or the last admin"),
        },
      }),
      (c) => {
        const auth = c.get("auth");
        permissions.requireAdmin(auth);
        const user = requireUser(c.req.param("id"));
        if (user.id === auth.user.id)
          throw new ZhikuError("conflict:self", "You cannot delete your own account");
        guarded(
          accounts.deleteUser(user.id, { keepAnAdmin: true }),
          user.id,
          "The last admin cannot be deleted",
        );
        audit.record({ actor: auth.user, action: "user.deleted", target: user.email, ip: clientAddress(c) });
        return c.body(null, 204);
      },
    );
}
