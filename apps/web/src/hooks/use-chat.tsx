import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { useApi } from "../lib/api-context";
import { toApiError } from "../lib/api-error";
import type {
  AnswerStatus,
  ChatMode,
  FeedbackRating,
  RerankSummary,
  Source,
  ThreadMessage,
} from "../lib/api-types";
import { streamChat } from "../lib/chat-stream";

/** An earlier answer to a turn's question, kept when the answer was regenerated. */
export interface AnswerVersion {
  answer: string;
  sources: Source[];
  status: AnswerStatus;
}

/** One question and its answer as shown in the chat. */
export interface ChatTurn {
  /** Local key (stable while streaming, before the server gives ids). */
  key: string;
  question: string;
  answer: string;
  sources: Source[];
  /** Whether the reranker ordered the sources, for answers streamed in this session (threads do not store it). */
  rerank?: RerankSummary;
  /** `retrieving` before the first token, `streaming` while tokens arrive. */
  status: "retrieving" | "streaming" | "done" | "stopped" | "error";
  /** The server's message when the answer failed. */
  error?: string;
  /** The server's error code, shown as a message in the interface language when the catalog knows it. */
  errorCode?: string;
  /** The assistant message's id, for feedback; known once the answer is stored. */
  messageId?: string;
  feedback?: FeedbackRating;
  /** Earlier stored answers to the same question, oldest first; this turn's own answer is the newest. */
  earlierVersions: AnswerVersion[];
}

/** Why a thread could not be shown: it is another user's, or there is no such thread. */
export type ThreadProblem = "forbidden" | "missing";

interface ChatValue {
  turns: ChatTurn[];
  /** The thread shown; null for a new conversation until the first answer is stored. */
  threadId: string | null;
  /** Whether an answer is being generated. */
  busy: boolean;
  /** Whether a stored thread is being loaded. */
  loading: boolean;
  /** Set when the thread asked for cannot be shown. */
  threadProblem: ThreadProblem | null;
  send: (question: string, mode: ChatMode) => void;
  /** Stops the answer being written: the server stores what was written so far, marked stopped. */
  stop: () => void;
  /**
   * Asks the last question again. A stored answer stays as an earlier version (the 1/2 switcher); a failed one is
   * replaced (retry).
   */
  regenerate: (mode: ChatMode) => void;
  loadThread: (threadId: string) => Promise<void>;
  reset: () => void;
  setFeedback: (key: string, rating: FeedbackRating) => void;
}

const ChatContext = createContext<ChatValue | null>(null);

/** Pairs a thread's stored messages into question/answer turns. */
export function turnsFromMessages(messages: readonly ThreadMessage[]): ChatTurn[] {
  const turns: ChatTurn[] = [];
  for (const message of messages) {
    if (message.role === "user") {
      turns.push({
        key: message.id,
        question: message.content,
        answer: "",
        sources: [],
        status: "done",
        earlierVersions: [],
      });
    } else {
      const answer = {
        answer: message.content,
        sources: message.sources ?? [],
        status: message.status,
        messageId: message.id,
        earlierVersions: message.earlierVersions.map((version) => ({
          answer: version.content,
          sources: version.sources,
          status: version.status,
        })),
        ...(message.feedback ? { feedback: message.feedback } : {}),
      };
      const last = turns.at(-1);
      if (last && !last.messageId && last.answer === "") Object.assign(last, answer);
      else turns.push({ key: message.id, question: "", ...answer });
    }
  }
  return turns;
}

/** A fresh id for one answer, by which the server can stop it. */
function newRequestId(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** Options of {@link ChatProvider}. */
export interface ChatProviderProps {
  slug: string;
  /** Called when an answer created a new thread or changed one, so the thread list refreshes. */
  onThreadChanged?: (threadId: string) => void;
  /** Reports failures (the notice area). */
  onError: (error: unknown) => void;
  children: ReactNode;
}

/**
 * Holds the conversation of one workspace. It lives above the chat routes so that moving from
 * `/workspaces/:slug` to `/workspaces/:slug/threads/:id` when a new thread is stored keeps the answer on screen.
 */
export function ChatProvider(props: ChatProviderProps) {
  const api = useApi();
  const [turns, setTurns] = useState<ChatTurn[]>([]);
  const [threadId, setThreadId] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [loading, setLoading] = useState(false);
  const [threadProblem, setThreadProblem] = useState<ThreadProblem | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  // The answer being written: the id the server knows it by, and whether the user asked to stop it.
  const runningRef = useRef<{ controller: AbortController; requestId: string; stopping: boolean } | null>(
    null,
  );
  const threadRef = useRef<string | null>(null);
  const { slug, onThreadChanged, onError } = props;

  const updateTurn = useCallback((key: string, change: (turn: ChatTurn) => Partial<ChatTurn>) => {
    setTurns((current) => current.map((turn) => (turn.key === key ? { ...turn, ...change(turn) } : turn)));
  }, []);

  const run = useCallback(
    async (turn: ChatTurn, mode: ChatMode, regenerate = false) => {
      abortRef.current?.abort();
      const controller = new AbortController();
      abortRef.current = controller;
      const running = { controller, requestId: newRequestId(), stopping: false };
      runningRef.current = running;
      setBusy(true);
      try {
        // Regenerating in a stored thread asks the server to replace the last answer, so the question is not
        // stored a second time (without a thread nothing was stored: a plain send).
        const body = {
          message: turn.question,
          mode,
          requestId: running.requestId,
          ...(threadRef.current
            ? { threadId: threadRef.current, ...(regenerate ? { regenerate: true } : {}) }
            : {}),
        };
        for await (const event of streamChat({ client: api, slug, body, signal: controller.signal })) {
          if (event.type === "sources")
            updateTurn(turn.key, () => ({ sources: event.sources, rerank: event.rerank }));
          else if (event.type === "token") {
            updateTurn(turn.key, (current) => ({ answer: current.answer + event.text, status: "streaming" }));
          } else {
            updateTurn(turn.key, () => ({ status: event.status, messageId: event.messageId }));
            threadRef.current = event.threadId;
            setThreadId(event.threadId);
            onThreadChanged?.(event.threadId);
          }
        }
      } catch (error) {
        // Stopped before the server stored anything (still searching), or cut off by leaving the thread.
        if (controller.signal.aborted || running.stopping)
          updateTurn(turn.key, () => ({ status: "stopped" }));
        else {
          // Shown inline under the question (an alert), where the answer would have been.
          const apiError = toApiError(error);
          updateTurn(turn.key, () => ({
            status: "error",
            error: apiError.message,
            errorCode: apiError.code,
          }));
        }
      } finally {
        if (runningRef.current === running) runningRef.current = null;
        if (abortRef.current === controller) {
          abortRef.current = null;
          setBusy(false);
        }
      }
    },
    [api, slug, updateTurn, onThreadChanged],
  );

  const send = useCallback(
    (question: string, mode: ChatMode) => {
      const turn: ChatTurn = {
        key: `local-${Date.now()}-${Math.random().toString(36).slice(2)}`,
        question,
        answer: "",
        sources: [],
        status: "retrieving",
        earlierVersions: [],
      };
      setTurns((current) => [...current, turn]);
      void run(turn, mode);
    },
    [run],
  );

  const stop = useCallback(() => {
    const running = runningRef.current;
    if (!running || running.stopping) return;
    running.stopping = true;
    // The server stops the answer, stores it as stopped and ends the stream with `done`, so the thread and its
    // place in the list are known at once. When it has no such answer (not reached it yet, or already done) or
    // cannot be asked, the request is cut instead.
    api.stopChat(slug, running.requestId).then(
      (stopped) => {
        if (!stopped) running.controller.abort();
      },
      () => running.controller.abort(),
    );
  }, [api, slug]);

  const regenerate = useCallback(
    (mode: ChatMode) => {
      const last = turns.at(-1);
      if (!last?.question || busy) return;
      // A stored answer becomes an earlier version; one that failed (never stored) is simply replaced.
      const earlierVersions = last.messageId
        ? [
            ...last.earlierVersions,
            {
              answer: last.answer,
              sources: last.sources,
              status: last.status === "stopped" ? ("stopped" as const) : ("done" as const),
            },
          ]
        : last.earlierVersions;
      const turn: ChatTurn = { ...last, answer: "", sources: [], status: "retrieving", earlierVersions };
      delete turn.error;
      delete turn.errorCode;
      delete turn.messageId;
      delete turn.feedback;
      setTurns((current) => [...current.slice(0, -1), turn]);
      void run(turn, mode, true);
    },
    [turns, busy, run],
  );

  const reset = useCallback(() => {
    abortRef.current?.abort();
    threadRef.current = null;
    setThreadId(null);
    setThreadProblem(null);
    setTurns([]);
  }, []);

  const loadThread = useCallback(
    async (id: string) => {
      abortRef.current?.abort();
      threadRef.current = id;
      setThreadId(id);
      setThreadProblem(null);
      setTurns([]);
      setLoading(true);
      try {
        const { messages } = await api.getThread(id);
        if (threadRef.current === id) setTurns(turnsFromMessages(messages));
      } catch (error) {
        // Said in place of the conversation rather than as a notice over an empty chat.
        const code = toApiError(error).code;
        if (threadRef.current === id && code === "forbidden:thread") setThreadProblem("forbidden");
        else if (threadRef.current === id && code === "not_found:thread") setThreadProblem("missing");
        else onError(error);
      } finally {
        setLoading(false);
      }
    },
    [api, onError],
  );

  const setFeedback = useCallback(
    (key: string, rating: FeedbackRating) => {
      const turn = turns.find((item) => item.key === key);
      if (!turn?.messageId) return;
      const previous = turn.feedback;
      updateTurn(key, () => ({ feedback: rating }));
      api.sendFeedback(turn.messageId, rating).catch((error: unknown) => {
        updateTurn(key, () => ({ feedback: previous }));
        onError(error);
      });
    },
    [turns, api, updateTurn, onError],
  );

  const value = useMemo<ChatValue>(
    () => ({
      turns,
      threadId,
      busy,
      loading,
      threadProblem,
      send,
      stop,
      regenerate,
      loadThread,
      reset,
      setFeedback,
    }),
    [turns, threadId, busy, loading, threadProblem, send, stop, regenerate, loadThread, reset, setFeedback],
  );
  return <ChatContext.Provider value={value}>{props.children}</ChatContext.Provider>;
}

/** The conversation of the current workspace. */
export function useChat(): ChatValue {
  const value = useContext(ChatContext);
  if (!value) throw new Error("useChat must be used inside <ChatProvider>");
  return value;
}
