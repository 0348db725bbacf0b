import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { type KnowledgeBase, type WorkspaceRecord, ZhikuError } from "@zhiku/ingest";
import type { Context } from "hono";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { z } from "zod";
import { clientAddress } from "../auth/index.js";
import { toErrorResponse } from "../errors.js";
import { errorEventData } from "../routes/chat.js";
import type { ChatService, ChatSource } from "../services/chat/index.js";
import type { VisitorRateLimit } from "./visitor-rate-limit.js";
import type { WidgetKeyRecord, WidgetKeyStore } from "./widget-key-store.js";

/** What the widget's public endpoints need. */
export interface WidgetRoutesOptions {
  kb: KnowledgeBase;
  chat: ChatService;
  widgetKeys: WidgetKeyStore;
  rateLimit: VisitorRateLimit;
  /** The built web client, holding `widget.js`. */
  webRoot?: string | undefined;
  /** Ends answer streams when the server stops. */
  shutdownSignal: AbortSignal;
}

const questionSchema = z.object({ question: z.string().trim().min(1).max(2_000) });
const searchSchema = z.object({
  query: z.string().trim().min(1).max(2_000),
  limit: z.int().min(1).max(10).optional(),
});

/** A passage as the widget shows it: no score, no offsets, nothing but what a reader needs. */
function widgetSource(source: Pick<ChatSource, "documentName" | "chunkId" | "page" | "headings" | "text">) {
  return {
    documentName: source.documentName,
    chunkId: source.chunkId,
    page: source.page,
    headings: source.headings,
    text: source.text,
  };
}

/**
 * The widget's public side: `GET /widget.js`, and under `/widget/v1/:key` the workspace's name (`config`),
 * `ask` (an event stream: `sources`, `token`…, `done` or `error`, answered in query mode: only from the documents),
 * `search`, and `passages/:chunkId` (a cited passage, readable only through a key of its workspace). Each request
 * must come from a page on one of the key's origins (its `Origin` header) and counts against the key's per-visitor
 * rate (visitor = client address). Bodies are sent as text/plain JSON so browsers need no preflight.
 */
export function createWidgetRoutes(options: WidgetRoutesOptions) {
  const { kb, chat, widgetKeys, rateLimit } = options;

  /** The key and workspace a request may use, after the origin check, with CORS headers set for that origin. */
  const admit = (c: Context, counted: boolean): { key: WidgetKeyRecord; workspace: WorkspaceRecord } => {
    const origin = c.req.header("origin");
    // Errors are readable by the page that asked (they carry no data), so the widget can say what went wrong.
    if (origin) c.header("Access-Control-Allow-Origin", origin);
    c.header("Vary", "Origin");
    c.header("Cross-Origin-Resource-Policy", "cross-origin");
    const key = widgetKeys.findActive(c.req.param("key") ?? "");
    const workspace = key ? kb.getWorkspaceById(key.workspaceId) : undefined;
    if (!key || !workspace) {
      throw new ZhikuError("unauthorized:widget_key", "This widget key does not exist or has been revoked");
    }
    if (!origin || !key.allowedOrigins.includes(origin)) {
      throw new ZhikuError(
        "forbidden:origin",
        `This widget may not be used on ${origin ?? "a page without an origin"}; its owner allows ${key.allowedOrigins.join(", ")}`,
      );
    }
    if (counted) {
      const decision = rateLimit.take(`${key.id} ${clientAddress(c)}`, key.requestsPerMinute);
      if (!decision.allowed) {
        throw new ZhikuError(
          "too_many:widget_requests",
          `Too many questions; try again in ${decision.retryAfterSeconds} s`,
          { retryAfterSeconds: decision.retryAfterSeconds },
        );
      }
    }
    return { key, workspace };
  };

  /** Reads a text/plain (or JSON) body as JSON and validates it, naming the field on failure. */
  const body = async <T>(c: Context, schema: z.ZodType<T>): Promise<T> => {
    const parsed = schema.safeParse(await c.req.json().catch(() => undefined));
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const field = issue?.path.join(".") || "body";
      throw new ZhikuError(`invalid:${field}`, `${field}: ${issue?.message ?? "invalid value"}`);
    }
    return parsed.data;
  };

  return new Hono()
    .onError((error, c) => {
      const { status, body: errorBody, headers } = toErrorResponse(error);
      return c.json(errorBody, status, headers);
    })
    .get("/widget.js", async (c) => {
      const file = options.webRoot ? join(options.webRoot, "widget.js") : undefined;
      if (!file || !existsSync(file)) throw new ZhikuError("not_found:widget", "widget.js is not built");
      c.header("Content-Type", "text/javascript; charset=utf-8");
      c.header("Cross-Origin-Resource-Policy", "cross-origin");
      c.header("Cache-Control", "public, max-age=300");
      return c.body(await readFile(file, "utf8"));
    })
    .get("/widget/v1/:key/config", (c) => {
      const { workspace } = admit(c, false);
      return c.json({ workspace: workspace.name }, 200);
    })
    .post("/widget/v1/:key/search", async (c) => {
      const { workspace } = admit(c, true);
      const input = await body(c, searchSchema);
      const { results } = await kb.search({
        workspace: workspace.slug,
        query: input.query,
        limit: input.limit ?? 5,
      });
      return c.json({ results: results.map(widgetSource) }, 200);
    })
    .get("/widget/v1/:key/passages/:chunkId", async (c) => {
      const { workspace } = admit(c, false);
      const chunkId = c.req.param("chunkId");
      const documentId = chunkId.split(":")[0] ?? "";
      const document = kb.getDocument(workspace.slug, documentId);
      const chunk = document
        ? (await kb.listChunks(workspace.slug, document.id)).find(
            (candidate) => candidate.chunkId === chunkId,
          )
        : undefined;
      if (!document || !chunk) throw new ZhikuError("not_found:passage", `No passage ${chunkId}`);
      return c.json({ ...widgetSource({ ...chunk, documentName: document.name }) }, 200);
    })
    .post("/widget/v1/:key/ask", async (c) => {
      const { workspace } = admit(c, true);
      const input = await body(c, questionSchema);
      const controller = new AbortController();
      const abort = () => controller.abort(new DOMException("The visitor left", "AbortError"));
      c.req.raw.signal.addEventListener("abort", abort, { once: true });
      options.shutdownSignal.addEventListener("abort", abort, { once: true });
      const events = chat.stream({
        workspace,
        message: input.question,
        mode: "query",
        persist: false,
        signal: controller.signal,
      });
      return streamSSE(c, async (stream) => {
        stream.onAbort(abort);
        try {
          for await (const event of events) {
            if (event.type === "sources") {
              await stream.writeSSE({
                event: "sources",
                data: JSON.stringify({
                  sources: event.sources.map((source) => ({ index: source.index, ...widgetSource(source) })),
                }),
              });
            } else if (event.type === "token") {
              await stream.writeSSE({ event: "token", data: JSON.stringify({ text: event.text }) });
            } else {
              await stream.writeSSE({ event: "done", data: "{}" });
            }
            if (stream.aborted) break;
          }
        } catch (error) {
          if (!stream.aborted && !controller.signal.aborted) {
            await stream.writeSSE({ event: "error", data: JSON.stringify(errorEventData(error)) });
          }
        } finally {
          c.req.raw.signal.removeEventListener("abort", abort);
          options.shutdownSignal.removeEventListener("abort", abort);
        }
      });
    });
}
