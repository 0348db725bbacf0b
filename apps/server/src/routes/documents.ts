import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import type { DocumentRecord } from "@zhiku/ingest";
import { Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { AppError } from "../errors.js";
import {
  contentDisposition,
  contentTypeFor,
  downloadNameFor,
  normaliseUploadName,
} from "../services/documents/content-disposition.js";
import { fetchPage } from "../services/documents/fetch-page.js";
import { chunkSchema, documentSchema, errorResponse, jsonResponse, queuedDocumentSchema } from "./schemas.js";
import { validate } from "./validation.js";

/** How many times the per-file limit one upload request may carry in total (the body is buffered). */
const requestLimitFactor = 10;

function megabytes(bytes: number): string {
  return `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;
}

function summary(document: DocumentRecord) {
  return { id: document.id, name: document.name, status: document.status };
}

/**
 * `/workspaces/:slug/documents`: upload (multipart, many `file` fields) or fetch a URL, list, read, chunks,
 * original file, cancel, retry, delete. Uploads return 202 at once; ingestion runs in the job queue.
 */
export function createDocumentRoutes(deps: AppDeps) {
  const { kb, jobs, config } = deps;
  const maxRequestBytes = config.maxUploadBytes * requestLimitFactor;

  const requireDocument = (slug: string, documentId: string) => {
    kb.requireWorkspace(slug);
    const document = kb.getDocument(slug, documentId);
    if (!document) {
      throw new AppError("not_found:document", `No document ${documentId} in workspace ${slug}`, 404);
    }
    return document;
  };

  return new Hono()
    .post(
      "/workspaces/:slug/documents",
      describeRoute({
        tags: ["Documents"],
        summary: "Upload documents",
        description: `multipart/form-data with one or more \`file\` fields (at most MAX_UPLOAD_MB each, ${requestLimitFactor} times that per request). Returns at once; follow progress on the events stream.`,
        requestBody: {
          content: {
            "multipart/form-data": {
              schema: {
                type: "object",
                properties: { file: { type: "array", items: { type: "string", format: "binary" } } },
                required: ["file"],
              },
            },
          },
        },
        responses: {
          202: jsonResponse("Queued documents", z.object({ documents: z.array(queuedDocumentSchema) })),
          400: errorResponse("No file"),
          404: errorResponse("No such workspace"),
          413: errorResponse("A file or the request is too large"),
          415: errorResponse("Not multipart/form-data"),
        },
      }),
      bodyLimit({
        maxSize: maxRequestBytes,
        onError: () => {
          throw new AppError(
            "too_large:request",
            `The upload is larger than ${megabytes(maxRequestBytes)} in total; send the files in smaller batches`,
            413,
          );
        },
      }),
      async (c) => {
        const workspace = kb.requireWorkspace(c.req.param("slug"));
        if (!(c.req.header("content-type") ?? "").toLowerCase().startsWith("multipart/form-data")) {
          throw new AppError(
            "unsupported:media_type",
            "Send documents as multipart/form-data with one or more `file` fields",
            415,
          );
        }
        let body: Record<string, unknown>;
        try {
          body = await c.req.parseBody({ all: true });
        } catch (error) {
          if (error instanceof AppError) throw error;
          throw new AppError("invalid:multipart", "The multipart body could not be read", 400, {
            cause: error,
          });
        }
        const field = body.file;
        const files = (Array.isArray(field) ? field : field === undefined ? [] : [field]).filter(
          (value): value is File => value instanceof File,
        );
        if (files.length === 0) {
          throw new AppError("invalid:file", "file: send at least one `file` field holding a file", 400);
        }
        for (const file of files) {
          if (file.size > config.maxUploadBytes) {
            throw new AppError(
              "too_large:file",
              `${file.name} is ${megabytes(file.size)}; the limit is ${megabytes(config.maxUploadBytes)} per file (MAX_UPLOAD_MB)`,
              413,
            );
          }
        }
        const documents: DocumentRecord[] = [];
        for (const file of files) {
          const bytes = new Uint8Array(await file.arrayBuffer());
          const fileHash = await kb.files.put(bytes);
          documents.push(
            jobs.enqueueUpload({
              workspace,
              name: normaliseUploadName(file.name),
              bytes: bytes.byteLength,
              fileHash,
            }),
          );
        }
        return c.json({ documents: documents.map(summary) }, 202);
      },
    )
    .post(
      "/workspaces/:slug/documents/url",
      describeRoute({
        tags: ["Documents"],
        summary: "Fetch a web page and add it as a document named by its URL",
        responses: {
          202: jsonResponse("The queued document", z.object({ documents: z.array(queuedDocumentSchema) })),
          400: errorResponse("Not an http(s) URL"),
          404: errorResponse("No such workspace"),
          413: errorResponse("The page is larger than MAX_UPLOAD_MB"),
          502: errorResponse("The page could not be fetched"),
        },
      }),
      validate(
        "json",
        z.object({ url: z.url({ protocol: /^https?$/, error: "expected an http(s) URL" }).max(2_000) }),
      ),
      async (c) => {
        const workspace = kb.requireWorkspace(c.req.param("slug"));
        const { url } = c.req.valid("json");
        const { bytes } = await fetchPage({
          url,
          maxBytes: config.maxUploadBytes,
          timeoutMs: deps.urlFetchTimeoutMs ?? 20_000,
          fetch: deps.fetch ?? fetch,
        });
        const fileHash = await kb.files.put(bytes);
        const document = jobs.enqueueUpload({ workspace, name: url, bytes: bytes.byteLength, fileHash });
        return c.json({ documents: [summary(document)] }, 202);
      },
    )
    .get(
      "/workspaces/:slug/documents",
      describeRoute({
        tags: ["Documents"],
        summary: "List documents",
        responses: {
          200: jsonResponse("The workspace's documents", z.object({ documents: z.array(documentSchema) })),
          404: errorResponse("No such workspace"),
        },
      }),
      (c) => {
        const slug = c.req.param("slug");
        kb.requireWorkspace(slug);
        return c.json({ documents: kb.listDocuments(slug) }, 200);
      },
    )
    .get(
      "/workspaces/:slug/documents/:id",
      describeRoute({
        tags: ["Documents"],
        summary: "Read a document",
        responses: {
          200: jsonResponse("The document", z.object({ document: documentSchema })),
          404: errorResponse("No such workspace or document"),
        },
      }),
      (c) => c.json({ document: requireDocument(c.req.param("slug"), c.req.param("id")) }, 200),
    )
    .get(
      "/workspaces/:slug/documents/:id/chunks",
      describeRoute({
        tags: ["Documents"],
        summary: "The stored chunks of a document, in order",
        responses: {
          200: jsonResponse("Chunks", z.object({ chunks: z.array(chunkSchema) })),
          404: errorResponse("No such workspace or document"),
        },
      }),
      async (c) => {
        const slug = c.req.param("slug");
        const document = requireDocument(slug, c.req.param("id"));
        return c.json({ chunks: await kb.listChunks(slug, document.id) }, 200);
      },
    )
    .get(
      "/workspaces/:slug/documents/:id/file",
      describeRoute({
        tags: ["Documents"],
        summary: "Download the original file",
        responses: {
          200: { description: "The original bytes", content: { "application/octet-stream": {} } },
          404: errorResponse("No such workspace, document or stored original"),
        },
      }),
      async (c) => {
        const document = requireDocument(c.req.param("slug"), c.req.param("id"));
        const fileHash = document.contentHash ?? jobs.store.latestForDocument(document.id)?.fileHash;
        const path = fileHash ? kb.files.path(fileHash) : undefined;
        const size = path
          ? await stat(path).then(
              (stats) => stats.size,
              () => undefined,
            )
          : undefined;
        if (!path || size === undefined) {
          throw new AppError("not_found:file", `The original of ${document.name} is not stored`, 404);
        }
        const body = Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>;
        return c.body(body, 200, {
          "Content-Type": contentTypeFor(document),
          "Content-Length": String(size),
          "Content-Disposition": contentDisposition(downloadNameFor(document)),
          "X-Content-Type-Options": "nosniff",
          // An uploaded HTML page must not run scripts on the API's origin.
          "Content-Security-Policy": "sandbox",
        });
      },
    )
    .post(
      "/workspaces/:slug/documents/:id/cancel",
      describeRoute({
        tags: ["Documents"],
        summary: "Cancel a queued or running ingestion",
        responses: {
          200: jsonResponse("The document after the cancel", z.object({ document: documentSchema })),
          404: errorResponse("No such workspace or document"),
          409: errorResponse("Nothing to cancel"),
        },
      }),
      (c) => {
        const document = requireDocument(c.req.param("slug"), c.req.param("id"));
        return c.json({ document: jobs.cancel(document) }, 200);
      },
    )
    .post(
      "/workspaces/:slug/documents/:id/retry",
      describeRoute({
        tags: ["Documents"],
        summary: "Queue a failed or cancelled document again",
        responses: {
          202: jsonResponse("The queued document", z.object({ document: documentSchema })),
          404: errorResponse("No such workspace or document"),
          409: errorResponse("The document is not failed or cancelled"),
        },
      }),
      (c) => {
        const document = requireDocument(c.req.param("slug"), c.req.param("id"));
        return c.json({ document: jobs.retry(document) }, 202);
      },
    )
    .delete(
      "/workspaces/:slug/documents/:id",
      describeRoute({
        tags: ["Documents"],
        summary: "Delete a document with its chunks and vectors",
        responses: { 204: { description: "Deleted" }, 404: errorResponse("No such workspace or document") },
      }),
      async (c) => {
        const slug = c.req.param("slug");
        const document = requireDocument(slug, c.req.param("id"));
        jobs.forgetDocument(document.id);
        await kb.deleteDocument(slug, document.id);
        return c.body(null, 204);
      },
    );
}
