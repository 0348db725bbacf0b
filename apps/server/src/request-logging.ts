import { randomUUID } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { routePath } from "hono/route";
import type { Logger } from "./logger.js";
import type { ServerMetrics } from "./services/metrics/index.js";

declare module "hono" {
  interface ContextVariableMap {
    /** This request's id: the caller's `X-Request-Id` when it is safe, else a new UUID. */
    requestId: string;
  }
}

/** The header a request id is read from and echoed in. */
export const requestIdHeader = "X-Request-Id";

const safeRequestId = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The caller's request id when it is 1 to 100 characters of `[A-Za-z0-9._-]` (so it cannot forge log lines or
 * carry much), else undefined.
 */
export function acceptRequestId(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed && safeRequestId.test(trimmed) ? trimmed : undefined;
}

/** Options for {@link requestLogging}. */
export interface RequestLoggingOptions {
  /** Where the one line per request goes. */
  logger: Logger;
  /** Counts requests and their durations. */
  metrics: ServerMetrics;
}

/**
 * Middleware that gives each request an id (`c.get("requestId")`, echoed in `X-Request-Id`), logs one line per
 * request (method, path without the query string, matched route, status, duration, id) and records the request in
 * the metrics by route pattern, so label values stay bounded whatever URLs clients send. hono's `requestId`
 * middleware accepts `=` and refuses `.`, hence this one. For a streamed response the duration is the time to the
 * response headers.
 */
export function requestLogging(options: RequestLoggingOptions): MiddlewareHandler {
  const { logger, metrics } = options;
  return async (c, next) => {
    const started = performance.now();
    const requestId = acceptRequestId(c.req.header(requestIdHeader)) ?? randomUUID();
    c.set("requestId", requestId);
    c.header(requestIdHeader, requestId);
    try {
      await next();
    } finally {
      // After next(), the route index points at the handler that answered (or at a catch-all when none did).
      const route = routePath(c) || "*";
      const status = c.res.status;
      const durationMs = performance.now() - started;
      metrics.recordHttpRequest({ method: c.req.method, route, status, durationSeconds: durationMs / 1000 });
      // The path only: query strings may carry tokens or keys.
      const line = {
        requestId,
        method: c.req.method,
        path: c.req.path,
        route,
        status,
        durationMs: Math.round(durationMs * 10) / 10,
      };
      if (status >= 500) logger.warn(line, "Request failed");
      else logger.info(line, "Request");
    }
  };
}
