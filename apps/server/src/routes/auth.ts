import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import {
  clearSessionCookie,
  clientAddress,
  decoyPasswordHash,
  hashPassword,
  maximumPasswordLength,
  minimumPasswordLength,
  setSessionCookie,
  verifyPassword,
} from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { errorResponse, jsonResponse, userSchema } from "./schemas.js";
import { validate } from "./validation.js";

/** A password as accepted from a client. */
export const passwordSchema = z
  .string()
  .min(minimumPasswordLength, `use at least ${minimumPasswordLength} characters`)
  .max(maximumPasswordLength);

/** An email as accepted from a client. */
export const emailSchema = z.email().max(320);

const credentialsSchema = z.object({ email: emailSchema, password: passwordSchema });
const loginSchema = z.object({
  email: z.string().trim().min(1).max(320),
  password: z.string().min(1).max(maximumPasswordLength),
});

/**
 * `/auth`: whether the install needs its first admin, first-visitor setup, sign in (throttled), sign out, the
 * current user and changing one's password. Sessions live server-side; the cookie holds only a random id.
 */
export function createAuthRoutes(deps: AppDeps) {
  const { accounts, audit, throttle, permissions } = deps.auth;
  return new Hono()
    .get(
      "/auth/status",
      describeRoute({
        tags: ["Accounts"],
        summary: "Whether the install needs its first admin, and who is signed in",
        responses: {
          200: jsonResponse("Status", z.object({ needsSetup: z.boolean(), user: userSchema.nullable() })),
        },
      }),
      (c) =>
        c.json({ needsSetup: accounts.countUsers() === 0, user: c.get("optionalAuth")?.user ?? null }, 200),
    )
    .post(
      "/auth/setup",
      describeRoute({
        tags: ["Accounts"],
        summary: "Create the first admin (only while no user exists) and sign in",
        responses: {
          201: jsonResponse("The admin", z.object({ user: userSchema })),
          400: errorResponse("Invalid email or password"),
          409: errorResponse("The install already has users"),
        },
      }),
      validate("json", credentialsSchema),
      async (c) => {
        const { email, password } = c.req.valid("json");
        if (accounts.countUsers() > 0) {
          throw new ZhikuError("conflict:setup", "This install already has an admin; sign in instead");
        }
        const user = accounts.createFirstAdmin({ email, passwordHash: await hashPassword(password) });
        if (!user)
          throw new ZhikuError("conflict:setup", "This install already has an admin; sign in instead");
        setSessionCookie(c, accounts.createSession(user.id));
        audit.record({ actor: user, action: "auth.setup", target: user.email, ip: clientAddress(c) });
        return c.json({ user }, 201);
      },
    )
    .post(
      "/auth/login",
      describeRoute({
        tags: ["Accounts"],
        summary: "Sign in; sets the session cookie",
        description:
          "After 5 failures for one account from one address, or 20 from one address for any accounts, within 15 minutes, answers 429 with Retry-After. The address is the socket's peer, or what the proxies TRUST_PROXY names forwarded.",
        responses: {
          200: jsonResponse("The user", z.object({ user: userSchema })),
          401: errorResponse("Wrong email or password"),
          429: errorResponse("Too many failed attempts"),
        },
      }),
      validate("json", loginSchema),
      async (c) => {
        const { email, password } = c.req.valid("json");
        const address = clientAddress(c);
        const wait = throttle.retryAfterSeconds({ email, address });
        if (wait > 0) {
          audit.record({
            actor: null,
            action: "auth.login_failed",
            target: email,
            details: { reason: "throttled" },
            ip: address,
          });
          throw new ZhikuError(
            "too_many:attempts",
            `Too many failed sign-ins; try again in ${Math.ceil(wait / 60)} minute(s)`,
            { retryAfterSeconds: wait },
          );
        }
        const found = accounts.findCredentials(email);
        // Verify against a decoy for unknown emails, so the answer takes as long whether or not the account exists.
        const valid = await verifyPassword(found?.passwordHash ?? (await decoyPasswordHash()), password);
        if (!found || !valid) {
          throttle.recordFailure({ email, address });
          audit.record({ actor: null, action: "auth.login_failed", target: email, ip: address });
          throw new ZhikuError("invalid:credentials", "The email or password is wrong");
        }
        throttle.recordSuccess({ email, address });
        setSessionCookie(c, accounts.createSession(found.user.id));
        audit.record({ actor: found.user, action: "auth.login", target: found.user.email, ip: address });
        return c.json({ user: found.user }, 200);
      },
    )
    .post(
      "/auth/logout",
      describeRoute({
        tags: ["Accounts"],
        summary: "Sign out: ends this session and clears the cookie",
        responses: { 204: { description: "Signed out" }, 401: errorResponse("Not signed in") },
      }),
      (c) => {
        const auth = c.get("auth");
        if (auth.sessionIdHash) accounts.revokeSession(auth.sessionIdHash);
        clearSessionCookie(c);
        audit.record({
          actor: auth.user,
          action: "auth.logout",
          target: auth.user.email,
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    )
    .get(
      "/auth/me",
      describeRoute({
        tags: ["Accounts"],
        summary: "The signed-in user",
        responses: {
          200: jsonResponse("The user", z.object({ user: userSchema })),
          401: errorResponse("Not signed in"),
        },
      }),
      (c) => c.json({ user: c.get("auth").user }, 200),
    )
    .post(
      "/auth/password",
      describeRoute({
        tags: ["Accounts"],
        summary: "Change one's own password; signs out the user's other sessions",
        responses: {
          204: { description: "Changed" },
          400: errorResponse("Wrong current password or too short a new one"),
          403: errorResponse("Sent with an API key"),
        },
      }),
      validate(
        "json",
        z.object({
          currentPassword: z.string().min(1).max(maximumPasswordLength),
          newPassword: passwordSchema,
        }),
      ),
      async (c) => {
        const auth = c.get("auth");
        permissions.requireSession(auth);
        const { currentPassword, newPassword } = c.req.valid("json");
        const address = clientAddress(c);
        const wait = throttle.retryAfterSeconds({ email: auth.user.email, address });
        if (wait > 0) {
          throw new ZhikuError("too_many:attempts", "Too many wrong passwords; try again later", {
            retryAfterSeconds: wait,
          });
        }
        if (!(await verifyPassword(accounts.passwordHash(auth.user.id) ?? "", currentPassword))) {
          throttle.recordFailure({ email: auth.user.email, address });
          throw new ZhikuError("invalid:currentPassword", "currentPassword: the current password is wrong");
        }
        accounts.updateUser(auth.user.id, {
          passwordHash: await hashPassword(newPassword),
          ...(auth.sessionIdHash ? { keepSessionIdHash: auth.sessionIdHash } : {}),
        });
        audit.record({
          actor: auth.user,
          action: "auth.password_changed",
          target: auth.user.email,
          ip: address,
        });
        return c.body(null, 204);
      },
    );
}
