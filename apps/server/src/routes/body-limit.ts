import { ZhikuError } from "@zhiku/ingest";
import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";

/** Largest JSON (or other non-multipart) body under `/api`, in bytes: far above any real request, far below a flood. */
export const maxJsonBodyBytes = 1024 * 1024;

/** Largest body a chat widget sends (one question of at most 2,000 characters), in bytes. */
export const widgetBodyBytes = 16 * 1024;

/**
 * Largest body under `/v1`, in bytes: an OpenAI client may send a long conversation or a batch of texts to embed
 * (OpenAI's own limit is about 300,000 tokens a request, near 1.5 MB of Chinese text in UTF-8).
 */
export const maxOpenAiBodyBytes = 4 * 1024 * 1024;

/**
 * Refuses a request body over `maxBytes` with 413 `too_large:request`, checked from Content-Length before reading or
 * while a chunked body arrives. Multipart uploads pass: they stream under their own limits (`MAX_UPLOAD_MB`).
 * Thrown, so each route group answers in its own error shape.
 */
export function limitJsonBodies(maxBytes: number): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ZhikuError(
        "too_large:request",
        `The request body is larger than ${formatBytes(maxBytes)}; send less at once`,
      );
    },
  });
  return async (c, next) => {
    const type = c.req.header("content-type")?.toLowerCase() ?? "";
    if (type.startsWith("multipart/form-data")) return next();
    return limit(c, next);
  };
}

function formatBytes(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}
