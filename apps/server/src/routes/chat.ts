import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { toErrorResponse } from "../errors.js";
import type { ChatParts } from "../services/chat/chat-parts.js";
import { type ChatEvent, type ChatSource, chatSourceSchema, isAbortError } from "../services/chat/index.js";
import { errorResponse, eventStreamResponse, jsonResponse, rerankSummarySchema } from "./schemas.js";
import { requireOwnThread } from "./thread-access.js";
import { validate } from "./validation.js";

/**
 * An AbortController for one chat request that fires when the client disconnects or the server shuts down;
 * `dispose` detaches it once the chat is over.
 */
export function requestAbort(options: { request: Request; parts: ChatParts; shutdownSignal: AbortSignal }) {
  const controller = new AbortController();
  const abort = () => controller.abort(new DOMException("The client disconnected", "AbortError"));
  const { request, parts } = options;
  if (request.signal.aborted || options.shutdownSignal.aborted) abort();
  request.signal.addEventListener("abort", abort, { once: true });
  parts.active.add(controller);
  return {
    controller,
    abort,
    dispose: () => {
      request.signal.removeEventListener("abort", abort);
      parts.active.delete(controller);
    },
  };
}

/**
 * A chat that ended because its client left becomes `invalid:aborted`; every other error passes unchanged to the
 * app's error handler.
 */
export function abortAsError(error: unknown): unknown {
  // The client left before anything was sent: nobody reads this answer, and it is no server failure to log.
  if (isAbortError(error))
    return new ZhikuError("invalid:aborted", "The client disconnected before the answer started");
  return error;
}

/** The `{code, message}` an `error` event carries, for any thrown value. */
export function errorEventData(error: unknown): { code: string; message: string } {
  return toErrorResponse(abortAsError(error)).body.error;
}

const chatBodySchema = z
  .object({
    message: z.string().trim().min(1, "message must not be empty").max(100_000),
    threadId: z.string().min(1).optional(),
    mode: z.enum(["chat", "query"]).optional(),
    regenerate: z
      .boolean()
      .optional()
      .describe(
        "Answer the thread's last question again (needs threadId; message is that question): the new answer replaces " +
          "the stored one instead of the question being stored twice. If the thread's last question is not message " +
          "(the earlier attempt was never stored), the exchange is appended as usual. Default false.",
      ),
    requestId: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .describe(
        "An id the client picks for this answer (unique among its own answers in progress), so that " +
          "POST /api/workspaces/{slug}/chat/stop can stop it: the partial answer is then stored as stopped and the " +
          'stream ends with `done` ({threadId, messageId, status: "stopped"}).',
      ),
  })
  .refine((body) => !body.regenerate || body.threadId !== undefined, {
    path: ["regenerate"],
    message: "regenerate needs the threadId of the thread whose last answer it replaces",
  });

const answerStatusSchema = z
  .enum(["done", "stopped"])
  .describe("done: the model finished; stopped: the answer was stopped and is partial");

const chatAnswerSchema = z.object({
  answer: z.string(),
  sources: z.array(chatSourceSchema),
  rerank: rerankSummarySchema.optional(),
  threadId: z.string(),
  messageId: z.string(),
  status: answerStatusSchema,
});

const stopBodySchema = z.object({ requestId: z.string().min(1).max(100) });

/** An answer in progress that its user may stop, by the `requestId` the client gave it. */
interface StoppableChat {
  userId: string;
  workspaceId: string;
  stop: AbortController;
}

/** The wire shape of a source: every field of {@link ChatSource}. */
function sourceData(source: ChatSource): ChatSource {
  return { ...source };
}

/** True when the client asked for an event stream rather than JSON. */
function wantsEventStream(accept: string | undefined): boolean {
  return accept?.includes("text/event-stream") ?? false;
}

/**
 * `POST /workspaces/:slug/chat`: streamed as SSE (`sources`, `token`..., `done`, or `error`) when the client
 * accepts `text/event-stream`, else answered as one JSON body. `POST /workspaces/:slug/chat/stop` stops an answer
 * in progress by its `requestId`.
 */
export function createChatRoutes(deps: AppDeps) {
  const { shutdownSignal } = deps;
  const parts = deps.chat;
  const { chat } = parts;
  const { permissions } = deps.auth;
  // Keyed by user and request id, so one user's ids never reach another's answers.
  const stoppable = new Map<string, StoppableChat>();
  const stopKey = (userId: string, requestId: string) => `${userId}\u0000${requestId}`;
  return new Hono()
    .post(
      "/workspaces/:slug/chat/stop",
      describeRoute({
        tags: ["Chat"],
        summary: "Stop an answer in progress",
        description:
          "Stops the caller's answer that was started with this `requestId`. The answer so far is stored with status " +
          "`stopped`, and its stream ends with a `done` event naming the thread and message. `stopped` is false when " +
          "no answer of the caller with this id is in progress (it finished, or has not reached the server yet).",
        responses: {
          200: jsonResponse("Whether an answer was stopped", z.object({ stopped: z.boolean() })),
          400: errorResponse("Missing requestId"),
          404: errorResponse("No such workspace"),
        },
      }),
      validate("json", stopBodySchema),
      (c) => {
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "viewer");
        const { requestId } = c.req.valid("json");
        const running = stoppable.get(stopKey(auth.user.id, requestId));
        const stopped: boolean = running !== undefined && running.workspaceId === workspace.id;
        if (stopped) running?.stop.abort(new DOMException("Stopped by the user", "AbortError"));
        return c.json({ stopped }, 200);
      },
    )
    .post(
      "/workspaces/:slug/chat",
      describeRoute({
        tags: ["Chat"],
        summary: "Ask a question",
        description:
          "Retrieves passages, then streams the answer with [n] citations. With `Accept: text/event-stream` the events are " +
          "`sources` ({sources, rerank?}), `token` ({text}) per piece, `done` ({threadId, messageId, status}), or `error` ({code, message}). " +
          "Failures found before streaming starts (unknown thread, Ollama unreachable) are plain JSON errors. " +
          "With `regenerate: true` and a `threadId` the thread's last answer is replaced rather than the question stored again.",
        responses: {
          200: {
            description: "The answer as JSON, or an event stream",
            content: {
              ...jsonResponse("", chatAnswerSchema).content,
              ...eventStreamResponse("").content,
            },
          },
          400: errorResponse("Invalid message, threadId, mode or regenerate (regenerate without threadId)"),
          403: errorResponse("Another user's thread (forbidden:thread)"),
          404: errorResponse("No such workspace, thread or chat model"),
          409: errorResponse("An answer with this requestId is in progress (conflict:request_id)"),
          503: errorResponse("Ollama is unreachable"),
        },
      }),
      validate("json", chatBodySchema),
      async (c) => {
        const body = c.req.valid("json");
        const auth = c.get("auth");
        const { workspace } = permissions.requireWorkspace(auth, c.req.param("slug"), "viewer");
        // Continuing someone else's thread answers as a missing thread (checked again by the service for the workspace).
        if (body.threadId) {
          requireOwnThread({ auth, threadId: body.threadId, threads: parts.threads, permissions });
        }
        // Fires when the connection closes, the SSE response is cancelled (below), the user stops the answer or the
        // server shuts down; aborting it aborts the Ollama request.
        const abort = requestAbort({ request: c.req.raw, parts, shutdownSignal });
        const stop = new AbortController();
        stop.signal.addEventListener("abort", () => abort.controller.abort(stop.signal.reason), {
          once: true,
        });
        const key = body.requestId === undefined ? undefined : stopKey(auth.user.id, body.requestId);
        if (key !== undefined) {
          if (stoppable.has(key)) {
            abort.dispose();
            throw new ZhikuError(
              "conflict:request_id",
              `An answer with request id "${body.requestId}" is in progress`,
            );
          }
          stoppable.set(key, { userId: auth.user.id, workspaceId: workspace.id, stop });
        }
        const finish = () => {
          if (key !== undefined && stoppable.get(key)?.stop === stop) stoppable.delete(key);
          abort.dispose();
        };
        const request = {
          workspace,
          message: body.message,
          threadId: body.threadId,
          mode: body.mode,
          regenerate: body.regenerate,
          userId: auth.user.id,
          signal: abort.controller.signal,
          stopSignal: stop.signal,
        };

        if (!wantsEventStream(c.req.header("accept"))) {
          try {
            const answer = await chat.answer(request);
            return c.json(
              {
                answer: answer.answer,
                sources: answer.sources.map(sourceData),
                ...(answer.rerank === undefined ? {} : { rerank: answer.rerank }),
                threadId: answer.threadId ?? "",
                messageId: answer.messageId ?? "",
                status: answer.status,
              },
              200,
            );
          } catch (error) {
            throw abortAsError(error);
          } finally {
            finish();
          }
        }

        // Pull the first event before answering, so failures found before anything is streamed (unknown thread,
        // Ollama unreachable) keep their HTTP status (404, 503) instead of arriving as an `error` event.
        const events = chat.stream(request);
        let first: IteratorResult<ChatEvent, void>;
        try {
          first = await events.next();
        } catch (error) {
          finish();
          throw abortAsError(error);
        }

        return streamSSE(c, async (stream) => {
          stream.onAbort(abort.abort);
          try {
            for (let next = first; !next.done; next = await events.next()) {
              const event = next.value;
              if (event.type === "sources") {
                await stream.writeSSE({
                  event: "sources",
                  data: JSON.stringify({
                    sources: event.sources.map(sourceData),
                    ...(event.rerank === undefined ? {} : { rerank: event.rerank }),
                  }),
                });
              } else if (event.type === "token") {
                await stream.writeSSE({ event: "token", data: JSON.stringify({ text: event.text }) });
              } else {
                await stream.writeSSE({
                  event: "done",
                  data: JSON.stringify({
                    threadId: event.threadId,
                    messageId: event.messageId,
                    status: event.status,
                  }),
                });
              }
              if (stream.aborted) break;
            }
          } catch (error) {
            // Written here rather than through streamSSE's onError: the headers are sent, so the app's onError
            // cannot answer any more, and streamSSE's own error path would add a second, plain-text `error` event.
            if (!stream.aborted && !abort.controller.signal.aborted) {
              await stream.writeSSE({ event: "error", data: JSON.stringify(errorEventData(error)) });
            }
          } finally {
            // Ends the chat if the client left mid-stream: its cleanup aborts Ollama and stores the partial answer.
            await events.return(undefined);
            finish();
          }
        });
      },
    );
}
