import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import { type ClientInfo, createClientResolver, evidenceOf } from "./trusted-proxy.js";

/** The session cookie's name. */
export const sessionCookieName = "zhiku_session";

/** The header cookie-authenticated changes must carry (`X-Zhiku-CSRF: 1`): a cross-site form cannot send it. */
export const csrfHeaderName = "X-Zhiku-CSRF";

/**
 * True when the request reached us over HTTPS, directly or through a trusted proxy that says so (`X-Forwarded-Proto`
 * from a proxy `TRUST_PROXY` names).
 */
export function isHttps(c: Context): boolean {
  return clientOf(c).https;
}

/** Sets the session cookie: HttpOnly, SameSite=Lax, Path=/, Secure over HTTPS, expiring with the session. */
export function setSessionCookie(c: Context, options: { sessionId: string; expiresAt: string }): void {
  setCookie(c, sessionCookieName, options.sessionId, {
    httpOnly: true,
    sameSite: "Lax",
    path: "/",
    secure: isHttps(c),
    expires: new Date(options.expiresAt),
  });
}

/** Clears the session cookie. */
export function clearSessionCookie(c: Context): void {
  deleteCookie(c, sessionCookieName, { path: "/", httpOnly: true, sameSite: "Lax", secure: isHttps(c) });
}

/** The client {@link resolveClient} put on the context, or the socket's own view when it did not run. */
function clientOf(c: Context): ClientInfo {
  return c.get("client") ?? createClientResolver(undefined)(evidenceOf(c));
}

/**
 * The client's address, for throttling and the audit log: the socket's peer, or the address trusted proxies
 * (`TRUST_PROXY`) forwarded in `X-Forwarded-For`. "unknown" when there is neither (tests without a socket).
 */
export function clientAddress(c: Context): string {
  return clientOf(c).address;
}

/**
 * The host the client addressed, for the cross-site check: a trusted proxy's (`TRUST_PROXY`) `X-Forwarded-Host`,
 * else the request's own. A forwarded host from anyone else is ignored, so it cannot vouch for a foreign origin.
 */
export function requestHost(c: Context): string {
  return clientOf(c).host;
}
