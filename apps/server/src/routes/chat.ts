import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { AppDeps } from "../deps.js";
import { toErrorResponse } from "../errors.js";
import type { ChatParts } from "../services/chat/chat-parts.js";
import { type ChatEvent, type ChatSource, chatSourceSchema, isAbortError } from "../services/chat/index.js";
import { errorResponse, eventStreamResponse, jsonResponse } from "./schemas.js";
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
  })
  .refine((body) => !body.regenerate || body.threadId !== undefined, {
    path: ["regenerate"],
    message: "regenerate needs the threadId of the thread whose last answer it replaces",
  });

const chatAnswerSchema = z.object({
  answer: z.string(),
  sources: z.array(chatSourceSchema),
  threadId: z.string(),
  messageId: z.string(),
});

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
 * accepts `text/event-stream`, else answered as one JSON body.
 */
export function createChatRoutes(deps: AppDeps) {
  const { shutdownSignal } = deps;
  const parts = deps.chat;
  const { chat } = parts;
  const { permissions } = deps.auth;
  return new Hono().post(
    "/workspaces/:slug/chat",
    describeRoute({
      tags: ["Chat"],
      summary: "Ask a question",
      description:
        "Retrieves passages, then streams the answer with [n] citations. With `Accept: text/event-stream` the events are " +
        "`sources` ({sources}), `token` ({text}) per piece, `done` ({threadId, messageId}), or `error` ({code, message}). " +
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
        404: errorResponse("No such workspace, thread or chat model"),
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
      // Fires when the connection closes, the SSE response is cancelled (below) or the server shuts down;
      // aborting it aborts the Ollama request.
      const abort = requestAbort({ request: c.req.raw, parts, shutdownSignal });
      const request = {
        workspace,
        message: body.message,
        threadId: body.threadId,
        mode: body.mode,
        regenerate: body.regenerate,
        userId: auth.user.id,
        signal: abort.controller.signal,
      };

      if (!wantsEventStream(c.req.header("accept"))) {
        try {
          const answer = await chat.answer(request);
          return c.json(
            {
              answer: answer.answer,
              sources: answer.sources.map(sourceData),
              threadId: answer.threadId ?? "",
              messageId: answer.messageId ?? "",
            },
            200,
          );
        } catch (error) {
          throw abortAsError(error);
        } finally {
          abort.dispose();
        }
      }

      // Pull the first event before answering, so failures found before anything is streamed (unknown thread,
      // Ollama unreachable) keep their HTTP status (404, 503) instead of arriving as an `error` event.
      const events = chat.stream(request);
      let first: IteratorResult<ChatEvent, void>;
      try {
        first = await events.next();
      } catch (error) {
        abort.dispose();
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
                data: JSON.stringify({ sources: event.sources.map(sourceData) }),
              });
            } else if (event.type === "token") {
              await stream.writeSSE({ event: "token", data: JSON.stringify({ text: event.text }) });
            } else {
              await stream.writeSSE({
                event: "done",
                data: JSON.stringify({ threadId: event.threadId, messageId: event.messageId }),
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
          abort.dispose();
        }
      });
    },
  );
}
