import { isIP } from "node:net";
import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";

/** The session cookie's name. */
export const sessionCookieName = "zhiku_session";

/** The header cookie-authenticated changes must carry (`X-Zhiku-CSRF: 1`): a cross-site form cannot send it. */
export const csrfHeaderName = "X-Zhiku-CSRF";

/** True when the request reached us over HTTPS, directly or through a proxy that says so (`X-Forwarded-Proto`). */
export function isHttps(c: Context): boolean {
  const forwarded = c.req.header("x-forwarded-proto")?.split(",")[0]?.trim().toLowerCase();
  return forwarded === "https" || new URL(c.req.url).protocol === "https:";
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

function isPrivateOrLoopback(address: string): boolean {
  const bare = address.replace(/^::ffff:/i, "");
  if (isIP(bare) === 4) {
    const [first = 0, second = 0] = bare.split(".").map(Number);
    return (
      first === 127 ||
      first === 10 ||
      (first === 172 && second >= 16 && second <= 31) ||
      (first === 192 && second === 168)
    );
  }
  const lower = bare.toLowerCase();
  return lower === "::1" || lower.startsWith("fc") || lower.startsWith("fd");
}

/**
 * The client's address, for throttling and the audit log. The socket's peer, except when that peer is a loopback
 * or private address (a reverse proxy in front of us) and it passed `X-Forwarded-For`: then the address the proxy
 * saw (the header's last entry, the only one a client cannot forge). "unknown" when there is no socket (tests).
 */
export function clientAddress(c: Context): string {
  const environment = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  const peer = environment?.incoming?.socket?.remoteAddress;
  const forwarded = c.req.header("x-forwarded-for");
  if ((!peer || isPrivateOrLoopback(peer)) && forwarded && peer) {
    const last = forwarded.split(",").pop()?.trim();
    if (last && isIP(last)) return last;
  }
  return peer ?? "unknown";
}
