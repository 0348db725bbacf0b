import type { KnowledgeBase } from "@zhiku/ingest";
import { instrumentChatService } from "../metrics/instrument-chat.js";
import type { ServerMetrics } from "../metrics/server-metrics.js";
import { type ChatService, createChatService } from "./chat-service.js";
import { createOllamaClientFactory } from "./ollama-client.js";
import { createThreadStore, type ThreadStore } from "./thread-store.js";

/** The chat service and thread store of one app, and its chats in progress. */
export interface ChatParts {
  chat: ChatService;
  threads: ThreadStore;
  /** Controllers of the chats in progress, all aborted when the server shuts down. */
  active: Set<AbortController>;
}

/** Options for {@link createChatParts}. */
export interface ChatPartsOptions {
  /** The knowledge base searched for passages; its database holds the threads. */
  kb: KnowledgeBase;
  /** Base URL of Ollama. */
  ollamaHost: string;
  /** The default chat model. */
  chatModel: string;
  /** Chats are counted here. */
  metrics: ServerMetrics;
  /** Aborts every chat in progress when it fires (server shutdown). */
  shutdownSignal: AbortSignal;
}

/**
 * The chat service over a knowledge base and its thread store, uninstrumented: what the server's chat parts build
 * on, and what `zhiku mcp` answers with.
 */
export function createKnowledgeBaseChat(options: Pick<ChatPartsOptions, "kb" | "ollamaHost" | "chatModel">): {
  chat: ChatService;
  threads: ThreadStore;
} {
  const { kb } = options;
  const threads = createThreadStore(kb.db);
  const chat = createChatService({
    search: (searchOptions) => kb.search(searchOptions),
    createOllamaClient: createOllamaClientFactory({ host: options.ollamaHost }),
    threads,
    chatModel: options.chatModel,
    ollamaHost: options.ollamaHost,
  });
  return { chat, threads };
}

/**
 * Builds the chat service (with its cache of model context lengths) and thread store that the chat, thread and
 * OpenAI routes of one app share.
 */
export function createChatParts(options: ChatPartsOptions): ChatParts {
  const base = createKnowledgeBaseChat(options);
  const threads = base.threads;
  const chat = instrumentChatService(base.chat, options.metrics);
  const active = new Set<AbortController>();
  // One listener for all chats: a listener per chat on the long-lived shutdown signal would pile up
  // (and trip Node's max-listeners warning) under concurrent chats.
  options.shutdownSignal.addEventListener(
    "abort",
    () => {
      for (const controller of active)
        controller.abort(new DOMException("The server is shutting down", "AbortError"));
    },
    { once: true },
  );
  return { chat, threads, active };
}
