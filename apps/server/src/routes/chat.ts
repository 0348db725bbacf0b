import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import { authPartsFor } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { AppError, statusForCode, toErrorResponse } from "../errors.js";
import {
  ChatError,
  type ChatEvent,
  type ChatService,
  type ChatSource,
  chatSourceSchema,
  createChatService,
  createOllamaClientFactory,
  createThreadStore,
  isAbortError,
  type ThreadStore,
} from "../services/chat/index.js";
import { instrumentChatService } from "../services/metrics/index.js";
import { errorResponse, eventStreamResponse, jsonResponse } from "./schemas.js";
import { requireOwnThread } from "./thread-access.js";
import { validate } from "./validation.js";

/** The chat service and thread store of one app, and its chats in progress. */
export interface ChatParts {
  chat: ChatService;
  threads: ThreadStore;
  /** Controllers of the chats in progress, all aborted when the server shuts down. */
  active: Set<AbortController>;
}

// Keyed by the app's deps so the chat, thread and OpenAI routes of one app share one service (and its cache of
// model context lengths) without createApp having to know about it; a second app gets its own.
const chatPartsByDeps = new WeakMap<AppDeps, ChatParts>();

/** The chat service and thread store for an app's deps, created on first use. */
export function chatPartsFor(deps: AppDeps): ChatParts {
  let parts = chatPartsByDeps.get(deps);
  if (!parts) {
    const threads = createThreadStore(deps.kb.db);
    const chat = instrumentChatService(
      createChatService({
        search: (options) => deps.kb.search(options),
        createOllamaClient: createOllamaClientFactory({ host: deps.ollama.host }),
        threads,
        chatModel: deps.config.chatModel,
        ollamaHost: deps.ollama.host,
      }),
      deps.metrics,
    );
    const active = new Set<AbortController>();
    // One listener for all chats: a listener per chat on the long-lived shutdown signal would pile up
    // (and trip Node's max-listeners warning) under concurrent chats.
    deps.shutdownSignal.addEventListener(
      "abort",
      () => {
        for (const controller of active)
          controller.abort(new DOMException("The server is shutting down", "AbortError"));
      },
      { once: true },
    );
    parts = { chat, threads, active };
    chatPartsByDeps.set(deps, parts);
  }
  return parts;
}

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

/** Turns a chat service error into the {@link AppError} the app's error handler maps; others pass unchanged. */
export function toAppError(error: unknown): unknown {
  if (error instanceof ChatError) {
    return new AppError(error.code, error.message, statusForCode(error.code), { cause: error });
  }
  // The client left before anything was sent: nobody reads this answer, and it is no server failure to log.
  if (isAbortError(error))
    return new AppError("invalid:aborted", "The client disconnected before the answer started", 400);
  return error;
}

/** The `{code, message}` an `error` event carries, for any thrown value. */
export function errorEventData(error: unknown): { code: string; message: string } {
  return toErrorResponse(toAppError(error)).body.error;
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
  const parts = chatPartsFor(deps);
  const { chat } = parts;
  const { permissions } = authPartsFor(deps);
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
          throw toAppError(error);
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
        throw toAppError(error);
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
