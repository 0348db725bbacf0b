import {
  countTokens as countIngestTokens,
  keepRelevant,
  type RerankSummary,
  type SearchMode,
  type SearchResult,
  type WorkspaceRecord,
  ZhikuError,
} from "@zhiku/ingest";
import type { AbortableAsyncIterator, ChatResponse } from "ollama";
import type { ChatSource } from "./chat-source.js";
import { buildPrompt, toSources } from "./cite/index.js";
import { type ContextLengthCache, createContextLengthCache } from "./context-length.js";
import { detectLanguage, type QuestionLanguage } from "./language.js";
import type { OllamaClientFactory } from "./ollama-client.js";
import { isAbortError, toOllamaError } from "./ollama-error.js";
import { rewriteQuery } from "./rewrite-query.js";
import { type AnswerStatus, type ThreadStore, titleFromQuestion } from "./thread-store.js";
import type { ChatMode, HistoryMessage } from "./types.js";

/** Retrieval the chat builds on: the knowledge base's `search`. */
export type SearchFunction = (options: {
  workspace: string;
  query: string;
  limit: number;
  mode: SearchMode;
}) => Promise<{ results: SearchResult[]; mode: SearchMode; rerank?: RerankSummary }>;

/** Dependencies and tuning of {@link createChatService}. */
export interface ChatServiceOptions {
  /** Finds passages in a workspace (`kb.search`). */
  search: SearchFunction;
  /** Makes one Ollama client per request. */
  createOllamaClient: OllamaClientFactory;
  /** Threads and messages; needed unless every request passes `persist: false`. */
  threads: ThreadStore;
  /** Chat model when the workspace names none (`CHAT_MODEL`). */
  chatModel: string;
  /** Ollama's address, named in error messages. */
  ollamaHost?: string;
  /** Context lengths read from Ollama; one cache per server. */
  contextLengths?: ContextLengthCache;
  /**
   * Largest `num_ctx` to run a model with, whatever its trained context: the KV cache grows with it, and Ollama
   * reloads a model whenever `num_ctx` changes, so every call uses the same value per model. Default 8192.
   */
  maxContextLength?: number;
  /** Tokens kept free for the reply. Default 1024 (at most a quarter of the context). */
  replyReserveTokens?: number;
  /** Counts tokens for the budget. Default: the ingest package's `countTokens`, the estimate chunks are sized with. */
  countTokens?: (text: string) => number;
  /** Earlier messages of a thread read as history. Default 10. */
  historyMessages?: number;
}

/** One chat request. */
export interface ChatRequest {
  /** The workspace to answer from. */
  workspace: WorkspaceRecord;
  /** The user's question. */
  message: string;
  /** `query` answers only from documents; default `chat`. */
  mode?: ChatMode | undefined;
  /** Thread to continue; its recent messages are the history. A new thread is created when absent. */
  threadId?: string | undefined;
  /** History given by the caller (the OpenAI endpoint), used when there is no `threadId`. */
  history?: HistoryMessage[] | undefined;
  /**
   * Regenerate the answer to the thread's last question (needs `threadId`): when that question is `message`, the
   * model sees the history before it and the new answer replaces the stored one, so the question is not stored
   * twice. When the last stored question is another one (the earlier attempt failed before it was stored), the
   * exchange is appended as usual.
   */
  regenerate?: boolean | undefined;
  /** Store the exchange in a thread. Default true. */
  persist?: boolean | undefined;
  /** The user a new thread belongs to (threads are private to their creator). */
  userId?: string | null | undefined;
  /** Extra system instructions from the caller (an OpenAI client's system messages), after the workspace's. */
  instructions?: string | undefined;
  /** Sampling temperature, overriding the workspace's. */
  temperature?: number | undefined;
  /** The most tokens the answer may have (Ollama's `num_predict`); unlimited when absent. */
  maxTokens?: number | undefined;
  /** Aborted when the client disconnects; aborts the Ollama request, and the partial answer is stored. */
  signal?: AbortSignal | undefined;
  /**
   * Aborted when the user stops the answer; the caller aborts `signal` with it. The stream then ends with `done`
   * (status `stopped`) instead of quietly, so the caller learns where the partial answer was stored.
   */
  stopSignal?: AbortSignal | undefined;
}

/** Token counts of an answer, from Ollama when it reports them, else estimated. */
export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
}

/** What a chat stream yields, in order: `sources` once, `token` per piece, `done` once. */
export type ChatEvent =
  | {
      type: "sources";
      sources: ChatSource[];
      query: string;
      searchMode: SearchMode;
      /** Whether the reranker ordered the passages; absent without a reranker. */
      rerank?: RerankSummary;
    }
  | { type: "token"; text: string }
  | {
      type: "done";
      /** The thread, or null when not persisted. */
      threadId: string | null;
      /** The stored assistant message, or null when not persisted. */
      messageId: string | null;
      answer: string;
      usage: ChatUsage;
      /** `length` when the answer was cut at `maxTokens`, else `stop`. */
      finishReason: FinishReason;
      /** `stopped` when the user stopped the answer (through `stopSignal`) and it is partial. */
      status: AnswerStatus;
    };

/** Why an answer ended: it was complete, or it reached the request's `maxTokens`. */
export type FinishReason = "stop" | "length";

/** A complete answer, for callers that do not stream. */
export interface ChatAnswer {
  answer: string;
  finishReason: FinishReason;
  sources: ChatSource[];
  /** Whether the reranker ordered the passages; absent without a reranker. */
  rerank?: RerankSummary;
  threadId: string | null;
  messageId: string | null;
  usage: ChatUsage;
  /** `stopped` when the user stopped the answer and it is partial. */
  status: AnswerStatus;
}

/** Retrieval-augmented chat over a workspace. */
export interface ChatService {
  /**
   * Answers a question as a stream of events. Errors are thrown from the iteration (codes `unavailable:ollama`,
   * `not_found:model`, `not_found:thread`, ...); an abort through `signal` ends it quietly after storing the
   * partial answer.
   */
  stream(request: ChatRequest): AsyncGenerator<ChatEvent, void, undefined>;
  /** Answers a question and collects the whole answer. */
  answer(request: ChatRequest): Promise<ChatAnswer>;
  /** The context-length cache, shared with whoever else needs it. */
  readonly contextLengths: ContextLengthCache;
}

/** What query mode says instead of calling the model when no passage is relevant. */
export function noPassagesAnswer(language: QuestionLanguage): string {
  return language === "zh"
    ? "在这个知识库的文档中没有找到与该问题相关的内容，所以无法根据文档回答。"
    : "I could not find anything relevant to this question in this workspace's documents, so I cannot answer it from them.";
}

/** Default passages per question. */
export const defaultTopK = 6;

function abortError(signal: AbortSignal): unknown {
  return signal.reason instanceof Error
    ? signal.reason
    : new DOMException("The chat request was aborted", "AbortError");
}

/**
 * Creates the chat service: rewrite a follow-up into a standalone query, retrieve passages, budget the prompt
 * against the model's context, stream the answer from Ollama and store the exchange.
 */
export function createChatService(options: ChatServiceOptions): ChatService {
  const contextLengths = options.contextLengths ?? createContextLengthCache();
  const maxContextLength = options.maxContextLength ?? 8192;
  const replyReserveTokens = options.replyReserveTokens ?? 1024;
  const countTokens = options.countTokens ?? countIngestTokens;
  const historyMessages = options.historyMessages ?? 10;

  async function* stream(request: ChatRequest): AsyncGenerator<ChatEvent, void, undefined> {
    const { workspace, signal } = request;
    const settings = workspace.settings;
    const mode: ChatMode = request.mode ?? "chat";
    const persist = request.persist ?? true;
    const model = settings.chatModel ?? options.chatModel;
    const language = detectLanguage(request.message);

    let history: HistoryMessage[] = request.history ?? [];
    let replacing = false;
    if (request.threadId) {
      const thread = options.threads.requireThread(request.threadId);
      if (thread.workspaceId !== workspace.id) {
        throw new ZhikuError(
          "not_found:thread",
          `No thread "${request.threadId}" in workspace "${workspace.slug}"`,
        );
      }
      replacing =
        request.regenerate === true &&
        options.threads.lastQuestion(request.threadId)?.content === request.message;
      history = replacing
        ? options.threads.historyBeforeLastQuestion(request.threadId, historyMessages)
        : options.threads.recentHistory(request.threadId, historyMessages);
    }
    history = history.filter((message) => message.content.trim().length > 0);

    const client = options.createOllamaClient(signal ? { signal } : {});
    const contextFor = async (): Promise<number> => {
      try {
        return Math.min(await contextLengths.get({ client, model }), maxContextLength);
      } catch (error) {
        throw toOllamaError(error, { host: options.ollamaHost, model });
      }
    };

    // Asked while retrieval runs (and answered from the cache after the first time). Chat mode always needs the
    // model, so it waits for the answer first: with Ollama down it fails at once instead of after retrieval's
    // embedding retries. Query mode may refuse without the model, so it looks only when it has passages.
    const contextLength = contextFor();
    contextLength.catch(() => {});
    if (mode === "chat") await contextLength;

    let query = request.message;
    if (history.length > 0) {
      // Without the context length the rewrite cannot set num_ctx; it falls back to the raw question then.
      const numCtx = await contextLength.catch((error: unknown) => {
        if (isAbortError(error)) throw error;
        return undefined;
      });
      if (numCtx !== undefined)
        query = await rewriteQuery({ client, model, numCtx, history, question: request.message });
    }

    const found = await options.search({
      workspace: workspace.slug,
      query,
      limit: settings.topK ?? defaultTopK,
      mode: settings.mode ?? "hybrid",
    });
    if (signal?.aborted) throw abortError(signal);
    const reranked = found.rerank === undefined ? {} : { rerank: found.rerank };
    // The workspace's cut-offs in force (a reranker's score, when the reranker ordered the passages, replaces the
    // cosine: see keepRelevant): calibrated for its embedding model, its manual setting, or the default.
    const retrieved = toSources(keepRelevant(found.results, { query, cutoffs: workspace.refusal }));

    let answer = "";
    let sources: ChatSource[] = retrieved;
    let saved: { threadId: string | null; messageId: string | null } | undefined;
    // Any answer that did not run to its end is stored as stopped: the user stopped it, or the client left.
    let status: AnswerStatus = "stopped";
    const save = () => {
      if (saved) return saved;
      if (!persist) saved = { threadId: null, messageId: null };
      else {
        const stored = options.threads.saveExchange({
          workspaceId: workspace.id,
          threadId: request.threadId,
          userId: request.userId ?? null,
          title: titleFromQuestion(request.message),
          question: request.message,
          answer,
          sources,
          status,
          replaceLastAnswer: replacing,
        });
        saved = { threadId: stored.threadId, messageId: stored.assistantMessageId };
      }
      return saved;
    };

    if (mode === "query" && retrieved.length === 0) {
      // Nothing relevant: say so without calling the model.
      answer = noPassagesAnswer(language);
      status = "done";
      yield { type: "sources", sources: [], query, searchMode: found.mode, ...reranked };
      yield { type: "token", text: answer };
      const ids = save();
      yield {
        type: "done",
        ...ids,
        answer,
        usage: { promptTokens: 0, completionTokens: countTokens(answer) },
        finishReason: "stop",
        status,
      };
      return;
    }

    const numCtx = await contextLength;
    const budgetTokens = numCtx - Math.min(replyReserveTokens, Math.floor(numCtx / 4));
    const prompt = buildPrompt({
      mode,
      language,
      workspacePrompt: [settings.systemPrompt, request.instructions].filter(Boolean).join("\n\n"),
      question: request.message,
      sources: retrieved,
      history,
      budgetTokens,
      countTokens,
    });
    if (prompt.promptTokens > budgetTokens) {
      throw new ZhikuError(
        "too_large:message",
        `The message (about ${countTokens(request.message)} tokens) does not fit the ${numCtx}-token context of "${model}"`,
      );
    }
    sources = prompt.sources;

    let iterator: AbortableAsyncIterator<ChatResponse> | undefined;
    const onAbort = () => iterator?.abort();
    signal?.addEventListener("abort", onAbort, { once: true });
    let failed = false;
    let completed = false;
    let usage: ChatUsage = { promptTokens: prompt.promptTokens, completionTokens: 0 };
    let finishReason: FinishReason = "stop";
    try {
      yield { type: "sources", sources, query, searchMode: found.mode, ...reranked };
      const temperature = request.temperature ?? settings.temperature;
      iterator = await client.chat({
        model,
        stream: true,
        messages: prompt.messages,
        options: {
          num_ctx: numCtx,
          ...(temperature === undefined ? {} : { temperature }),
          ...(request.maxTokens === undefined ? {} : { num_predict: request.maxTokens }),
        },
      });
      if (signal?.aborted) iterator.abort();
      for await (const part of iterator) {
        const text = part.message?.content ?? "";
        if (text.length > 0) {
          answer += text;
          yield { type: "token", text };
        }
        if (part.done) {
          if (part.done_reason === "length") finishReason = "length";
          usage = {
            promptTokens: part.prompt_eval_count || prompt.promptTokens,
            completionTokens: part.eval_count || countTokens(answer),
          };
        }
      }
      if (signal?.aborted) throw abortError(signal);
      completed = true;
      status = "done";
    } catch (error) {
      // The finally block stores the partial answer; only a stop by the user goes on to say where (`done`).
      if (signal?.aborted || isAbortError(error)) {
        if (!request.stopSignal?.aborted) return;
      } else {
        failed = true;
        throw toOllamaError(error, { host: options.ollamaHost, model });
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      // Reached early when the consumer stops (client gone) or on abort: keep what was said so far.
      if (!failed && !completed) {
        iterator?.abort();
        save();
      }
    }
    if (usage.completionTokens === 0) usage = { ...usage, completionTokens: countTokens(answer) };
    const ids = save();
    yield { type: "done", ...ids, answer, usage, finishReason, status };
  }

  return {
    contextLengths,
    stream,
    async answer(request) {
      let sources: ChatSource[] = [];
      let rerank: RerankSummary | undefined;
      for await (const event of stream(request)) {
        if (event.type === "sources") {
          sources = event.sources;
          rerank = event.rerank;
        } else if (event.type === "done") {
          return {
            answer: event.answer,
            finishReason: event.finishReason,
            sources,
            ...(rerank === undefined ? {} : { rerank }),
            threadId: event.threadId,
            messageId: event.messageId,
            usage: event.usage,
            status: event.status,
          };
        }
      }
      // Only an abort ends the stream without `done`.
      throw request.signal ? abortError(request.signal) : new Error("The chat ended without an answer");
    },
  };
}
