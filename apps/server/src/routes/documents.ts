import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { type DocumentRecord, ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { type Authenticated, clientAddress, type WorkspaceRole } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { createAddressPolicy } from "../services/documents/address-policy.js";
import {
  contentDisposition,
  contentTypeFor,
  downloadNameFor,
  normaliseUploadName,
} from "../services/documents/content-disposition.js";
import { assembleDocumentText } from "../services/documents/document-text.js";
import { fetchPage } from "../services/documents/fetch-page.js";
import { readUploads } from "../services/documents/read-uploads.js";
import { UploadStaging } from "../services/documents/upload-staging.js";
import {
  chunkRecordSchema,
  documentSchema,
  documentTextSchema,
  errorResponse,
  jsonResponse,
  queuedDocumentSchema,
} from "./schemas.js";
import { validate } from "./validation.js";

/**
 * How many times the per-file limit one upload request may carry in total. The body is streamed (one file in memory at
 * a time), so this bounds disk use and request time rather than memory.
 */
const requestLimitFactor = 20;

/** Most files one upload request may carry: teams drop whole folders. */
export const maxFilesPerRequest = 1_000;

function summary(document: DocumentRecord) {
  return { id: document.id, name: document.name, status: document.status };
}

/**
 * `/workspaces/:slug/documents`: upload (multipart, many `file` fields) or fetch a URL, list, read, chunks, text,
 * original file, cancel, retry, delete. Uploads return 202 once the whole request is read (all or nothing);
 * ingestion runs in the job queue.
 */
export function createDocumentRoutes(deps: AppDeps) {
  const { kb, jobs, config } = deps;
  const { permissions, audit } = deps.auth;
  const maxRequestBytes = config.maxUploadBytes * requestLimitFactor;
  const policy = createAddressPolicy(config.urlAllowlist);
  const stagingRoot = join(config.dataDir, "upload-staging");
  UploadStaging.clear(stagingRoot);

  const requireDocument = (auth: Authenticated, slug: string, documentId: string, minimum: WorkspaceRole) => {
    permissions.requireWorkspace(auth, slug, minimum);
    const document = kb.getDocument(slug, documentId);
    if (!document) {
      throw new ZhikuError("not_found:document", `No document ${documentId} in workspace ${slug}`);
    }
    return document;
  };

  return new Hono()
    .post(
      "/workspaces/:slug/documents",
      describeRoute({
        tags: ["Documents"],
        summary: "Upload documents",
        description: `multipart/form-data with one or more \`file\` fields (at most MAX_UPLOAD_MB each, ${requestLimitFactor} times that and ${maxFilesPerRequest} files per request; limits are checked while the body streams in). Returns at once; follow progress on the events stream. Needs the editor role.`,
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
      async (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "editor");
        const contentType = c.req.header("content-type") ?? "";
        if (!contentType.toLowerCase().startsWith("multipart/form-data")) {
          throw new ZhikuError(
            "unsupported:media_type",
            "Send documents as multipart/form-data with one or more `file` fields",
          );
        }
        const declaredLength = Number(c.req.header("content-length"));
        const staging = await UploadStaging.open(stagingRoot);
        const documents: DocumentRecord[] = [];
        try {
          // The whole request is read and checked before anything is stored or queued.
          await readUploads({
            body: c.req.raw.body,
            contentType,
            contentLength: Number.isFinite(declaredLength) ? declaredLength : undefined,
            maxFileBytes: config.maxUploadBytes,
            maxFiles: maxFilesPerRequest,
            maxRequestBytes,
            onFile: (file) => staging.add(file),
          });
          // The file store names files by content hash; the client's name is only the document's name.
          const fileHashes: string[] = [];
          for (let index = 0; index < staging.files.length; index += 1) {
            fileHashes.push(await kb.files.put(await staging.read(index)));
          }
          documents.push(
            ...jobs.enqueueUploads(
              staging.files.map((file, index) => ({
                workspace,
                name: normaliseUploadName(file.name),
                bytes: file.bytes,
                fileHash: fileHashes[index]!,
              })),
            ),
          );
        } finally {
          await staging.discard();
          // Whatever was queued is audited, even when a later file could not be.
          if (documents.length > 0) {
            audit.record({
              actor: auth.user,
              action: "document.uploaded",
              target: workspace.slug,
              details: {
                count: documents.length,
                names: documents.slice(0, 50).map((document) => document.name),
              },
              ip: clientAddress(c),
            });
          }
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
          403: errorResponse("A loopback, private or link-local address not in URL_ALLOWLIST"),
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
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "editor");
        const { url } = c.req.valid("json");
        const { bytes } = await fetchPage({
          url,
          maxBytes: config.maxUploadBytes,
          timeoutMs: deps.urlFetchTimeoutMs ?? 20_000,
          policy,
        });
        const fileHash = await kb.files.put(bytes);
        const [document] = jobs.enqueueUploads([{ workspace, name: url, bytes: bytes.byteLength, fileHash }]);
        audit.record({
          actor: auth.user,
          action: "document.uploaded",
          target: workspace.slug,
          details: { count: 1, names: [url] },
          ip: clientAddress(c),
        });
        return c.json({ documents: [summary(document!)] }, 202);
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
        permissions.requireWorkspace(c.get("auth"), slug, "viewer");
        const documents = kb
          .listDocuments(slug)
          .map((document) => ({ ...document, errorCode: jobs.documents.errorCodeOf(document) }));
        return c.json({ documents }, 200);
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
      (c) =>
        c.json(
          { document: requireDocument(c.get("auth"), c.req.param("slug"), c.req.param("id"), "viewer") },
          200,
        ),
    )
    .get(
      "/workspaces/:slug/documents/:id/chunks",
      describeRoute({
        tags: ["Documents"],
        summary: "The stored chunks of a document, in order",
        responses: {
          200: jsonResponse("Chunks", z.object({ chunks: z.array(chunkRecordSchema) })),
          404: errorResponse("No such workspace or document"),
        },
      }),
      async (c) => {
        const slug = c.req.param("slug");
        const document = requireDocument(c.get("auth"), slug, c.req.param("id"), "viewer");
        return c.json({ chunks: await kb.listChunks(slug, document.id) }, 200);
      },
    )
    .get(
      "/workspaces/:slug/documents/:id/text",
      describeRoute({
        tags: ["Documents"],
        summary: "A document's text with the place of each chunk in it, to show a cited passage in context",
        responses: {
          200: jsonResponse("The document, its text and its chunks' offsets", documentTextSchema),
          404: errorResponse("No such workspace or document"),
        },
      }),
      async (c) => {
        const slug = c.req.param("slug");
        const document = requireDocument(c.get("auth"), slug, c.req.param("id"), "viewer");
        const { text, chunks } = assembleDocumentText(await kb.listChunks(slug, document.id));
        return c.json({ document, text, chunks }, 200);
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
        const document = requireDocument(c.get("auth"), c.req.param("slug"), c.req.param("id"), "viewer");
        const fileHash = document.contentHash ?? jobs.store.latestForDocument(document.id)?.fileHash;
        const path = fileHash ? kb.files.path(fileHash) : undefined;
        const size = path
          ? await stat(path).then(
              (stats) => stats.size,
              () => undefined,
            )
          : undefined;
        if (!path || size === undefined) {
          throw new ZhikuError("not_found:file", `The original of ${document.name} is not stored`);
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
        const document = requireDocument(c.get("auth"), c.req.param("slug"), c.req.param("id"), "editor");
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
        const document = requireDocument(c.get("auth"), c.req.param("slug"), c.req.param("id"), "editor");
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
        const auth = c.get("auth");
        const slug = c.req.param("slug");
        const document = requireDocument(auth, slug, c.req.param("id"), "editor");
        jobs.forgetDocument(document.id);
        await kb.deleteDocument(slug, document.id);
        audit.record({
          actor: auth.user,
          action: "document.deleted",
          target: `${slug}/${document.name}`,
          details: { documentId: document.id },
          ip: clientAddress(c),
        });
        return c.body(null, 204);
      },
    );
}
