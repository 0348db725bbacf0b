import { ZhikuError } from "@zhiku/ingest";
import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import { isApiPath, isBotCallbackPath } from "../api-paths.js";
import { toErrorResponse, toOpenAiError } from "../errors.js";
import type { AccountStore } from "./account-store.js";
import {
  clearSessionCookie,
  csrfHeaderName,
  requestHost,
  sessionCookieName,
  setSessionCookie,
} from "./http.js";
import type { Authenticated } from "./permissions.js";
import { apiKeyPrefix } from "./tokens.js";

declare module "hono" {
  interface ContextVariableMap {
    /** Who the request acts for; set on every /api and /v1 route but the public ones. */
    auth: Authenticated;
    /** Who the request acts for when it carried valid credentials, on public routes too. */
    optionalAuth: Authenticated | undefined;
  }
}

/**
 * Routes anyone may call, as `METHOD path`. Everything else under /api and /v1 needs a session or an API key, but the
 * chat platforms' bot callbacks (`isBotCallbackPath`), which carry the platform's signature instead.
 */
export const publicRoutes: ReadonlySet<string> = new Set([
  "GET /api/health",
  "GET /api/auth/status",
  "POST /api/auth/setup",
  "POST /api/auth/login",
  "GET /api/openapi.json",
  "GET /api/docs",
  "GET /api/docs/api-reference.js",
]);

const unsafeMethods = new Set(["POST", "PUT", "PATCH", "DELETE"]);

function isOpenAiPath(path: string): boolean {
  return path === "/v1" || path.startsWith("/v1/");
}

/**
 * Refuses a state-changing request a browser sent on behalf of another site: `Sec-Fetch-Site: cross-site`, or an
 * `Origin` whose host is not the one addressed (`Origin: null` included).
 */
function crossSiteReason(c: Context): string | undefined {
  if (c.req.header("sec-fetch-site")?.toLowerCase() === "cross-site")
    return "the request came from another site";
  const origin = c.req.header("origin");
  if (origin === undefined) return undefined;
  let host: string | undefined;
  try {
    host = origin === "null" ? undefined : new URL(origin).host.toLowerCase();
  } catch {
    host = undefined;
  }
  return host === requestHost(c) ? undefined : `the request came from origin ${origin}`;
}

/** Options for {@link authenticate}. */
export interface AuthenticateOptions {
  /** Users, sessions and keys. */
  accounts: AccountStore;
}

/**
 * Authenticates every /api and /v1 request: `Authorization: Bearer zk_...` (an API key) or the `zhiku_session`
 * cookie, and puts `{ user, apiKey? }` on the context as `auth`. Public routes ({@link publicRoutes}) pass without
 * credentials. Cookie-authenticated POST/PUT/PATCH/DELETE must carry `X-Zhiku-CSRF: 1`; any state-changing request
 * from another site's page is refused. Failures answer 401/403 here, in OpenAI's error shape under /v1.
 */
export function authenticate(options: AuthenticateOptions): MiddlewareHandler {
  const { accounts } = options;
  return async (c, next) => {
    const path = c.req.path;
    if (!isApiPath(path)) return next();
    const fail = (error: ZhikuError) => {
      if (isOpenAiPath(path)) {
        const { status, body } = toOpenAiError(error);
        return c.json(body, status);
      }
      const { status, body, headers } = toErrorResponse(error);
      return c.json(body, status, headers);
    };

    const unsafe = unsafeMethods.has(c.req.method);
    if (unsafe) {
      const reason = crossSiteReason(c);
      if (reason) return fail(new ZhikuError("forbidden:origin", `Refused: ${reason}`));
    }

    const isPublic =
      publicRoutes.has(`${c.req.method} ${path}`) ||
      (c.req.method === "HEAD" && publicRoutes.has(`GET ${path}`)) ||
      isBotCallbackPath(path);
    let auth: Authenticated | undefined;
    let failure: ZhikuError | undefined;

    const authorization = c.req.header("authorization");
    const sessionId = getCookie(c, sessionCookieName);
    if (authorization !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(authorization.trim());
      const key = match?.[1];
      const found = key?.startsWith(apiKeyPrefix) ? accounts.useApiKey(key) : undefined;
      if (found) auth = { user: found.user, apiKey: found.apiKey };
      else failure = new ZhikuError("unauthorized:api_key", "The API key is not valid or has been revoked");
    } else if (sessionId) {
      const found = accounts.useSession(sessionId);
      if (found) {
        auth = { user: found.user, sessionIdHash: found.session.idHash };
        if (found.refreshed) setSessionCookie(c, { sessionId, expiresAt: found.refreshed });
        if (unsafe && c.req.header(csrfHeaderName) !== "1" && !isPublic) {
          return fail(
            new ZhikuError(
              "forbidden:csrf",
              `Send the header ${csrfHeaderName}: 1 with changes made with a session`,
            ),
          );
        }
      } else {
        clearSessionCookie(c);
        failure = new ZhikuError(
          "unauthorized:session",
          "The session has expired or was signed out; sign in again",
        );
      }
    }

    c.set("optionalAuth", auth);
    if (isPublic) return next();
    if (!auth) {
      return fail(
        failure ??
          new ZhikuError("unauthorized:session", "Sign in or send an API key (Authorization: Bearer zk_...)"),
      );
    }
    c.set("auth", auth);
    // Answers that depend on who asks must not be cached by shared caches.
    c.header("Cache-Control", "private, no-store");
    return next();
  };
}
