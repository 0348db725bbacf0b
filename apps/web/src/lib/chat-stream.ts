import type { ApiClient } from "./api-client";
import { ApiError } from "./api-error";
import type { AnswerStatus, ChatRequestBody, RerankSummary, Source } from "./api-types";
import { readServerSentEvents } from "./sse-parser";

/** What the chat stream delivers, named for what each event carries. */
export type ChatStreamEvent =
  | {
      type: "sources";
      sources: Source[];
      /** Whether the reranker ordered the sources; absent without a reranker. */
      rerank?: RerankSummary;
    }
  | { type: "token"; text: string }
  | { type: "done"; threadId: string; messageId: string; status: AnswerStatus };

/** Options for {@link streamChat}. */
export interface StreamChatOptions {
  /** The API client whose `chat` method sends the request. */
  client: Pick<ApiClient, "chat">;
  /** Workspace slug. */
  slug: string;
  /** The question, thread and mode. */
  body: ChatRequestBody;
  /** Aborting it (the Stop button) cancels the request; the server then aborts the model. */
  signal?: AbortSignal;
}

function parseData(data: string, event: string): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(data);
    if (typeof value === "object" && value !== null) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  throw new ApiError({
    code: "invalid:stream",
    message: `Unreadable "${event}" event from the server`,
    status: 0,
  });
}

/** The `rerank` of a `sources` event, when it has the summary's shape. */
function rerankOf(value: unknown): RerankSummary | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { applied, model, fallbackReason } = value as Record<string, unknown>;
  if (typeof applied !== "boolean" || typeof model !== "string") return undefined;
  return { applied, model, ...(typeof fallbackReason === "string" ? { fallbackReason } : {}) };
}

/**
 * Posts a chat message and yields the answer as it streams: `sources` first, then `token`s, then `done`.
 * An `error` event from the server is thrown as an {@link ApiError} carrying the server's code and message;
 * a stream that ends without `done` throws too, so a cut connection is never mistaken for a full answer.
 */
export async function* streamChat(options: StreamChatOptions): AsyncGenerator<ChatStreamEvent> {
  const response = await options.client.chat(options.slug, options.body, options.signal);
  if (!response.body)
    throw new ApiError({ code: "invalid:stream", message: "The reply had no body", status: 0 });
  for await (const event of readServerSentEvents(response.body)) {
    if (event.event === "sources") {
      const data = parseData(event.data, event.event);
      const sources = Array.isArray(data.sources) ? (data.sources as Source[]) : [];
      const rerank = rerankOf(data.rerank);
      yield { type: "sources", sources, ...(rerank ? { rerank } : {}) };
    } else if (event.event === "token") {
      const data = parseData(event.data, event.event);
      yield { type: "token", text: typeof data.text === "string" ? data.text : "" };
    } else if (event.event === "done") {
      const data = parseData(event.data, event.event);
      yield {
        type: "done",
        threadId: String(data.threadId),
        messageId: String(data.messageId),
        status: data.status === "stopped" ? "stopped" : "done",
      };
      return;
    } else if (event.event === "error") {
      const data = parseData(event.data, event.event);
      throw new ApiError({
        code: typeof data.code === "string" ? data.code : "error",
        message: typeof data.message === "string" ? data.message : event.data,
        status: 0,
      });
    }
  }
  throw new ApiError({
    code: "incomplete:stream",
    message: "The answer stopped before it was finished",
    status: 0,
  });
}
