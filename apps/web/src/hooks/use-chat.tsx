import { createContext, type ReactNode, useCallback, useContext, useMemo, useRef, useState } from "react";
import { useApi } from "../lib/api-context";
import { toApiError } from "../lib/api-error";
import type { ChatMode, FeedbackRating, Source, ThreadMessage } from "../lib/api-types";
import { streamChat } from "../lib/chat-stream";

/** One question and its answer as shown in the chat. */
export interface ChatTurn {
  /** Local key (stable while streaming, before the server gives ids). */
  key: string;
  question: string;
  answer: string;
  sources: Source[];
  /** `retrieving` before the first token, `streaming` while tokens arrive. */
  status: "retrieving" | "streaming" | "done" | "stopped" | "error";
  /** The server's message when the answer failed. */
  error?: string;
  /** The server's error code, shown as a message in the interface language when the catalog knows it. */
  errorCode?: string;
  /** The assistant message's id, for feedback; known once the answer is stored. */
  messageId?: string;
  feedback?: FeedbackRating;
}

interface ChatValue {
  turns: ChatTurn[];
  /** The thread shown; null for a new conversation until the first answer is stored. */
  threadId: string | null;
  /** Whether an answer is being generated. */
  busy: boolean;
  /** Whether a stored thread is being loaded. */
  loading: boolean;
  send: (question: string, mode: ChatMode) => void;
  stop: () => void;
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
      turns.push({ key: message.id, question: message.content, answer: "", sources: [], status: "done" });
    } else {
      const last = turns.at(-1);
      if (last && !last.messageId && last.answer === "") {
        last.answer = message.content;
        last.sources = message.sources ?? [];
        last.messageId = message.id;
        if (message.feedback) last.feedback = message.feedback;
      } else {
        turns.push({
          key: message.id,
          question: "",
          answer: message.content,
          sources: message.sources ?? [],
          status: "done",
          messageId: message.id,
        });
      }
    }
  }
  return turns;
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
  const abortRef = useRef<AbortController | null>(null);
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
      setBusy(true);
      try {
        // Regenerating in a stored thread asks the server to replace the last answer, so the question is not
        // stored a second time (without a thread nothing was stored: a plain send).
        const body = {
          message: turn.question,
          mode,
          ...(threadRef.current
            ? { threadId: threadRef.current, ...(regenerate ? { regenerate: true } : {}) }
            : {}),
        };
        for await (const event of streamChat({ client: api, slug, body, signal: controller.signal })) {
          if (event.type === "sources") updateTurn(turn.key, () => ({ sources: event.sources }));
          else if (event.type === "token") {
            updateTurn(turn.key, (current) => ({ answer: current.answer + event.text, status: "streaming" }));
          } else {
            updateTurn(turn.key, () => ({ status: "done", messageId: event.messageId }));
            threadRef.current = event.threadId;
            setThreadId(event.threadId);
            onThreadChanged?.(event.threadId);
          }
        }
      } catch (error) {
        if (controller.signal.aborted) updateTurn(turn.key, () => ({ status: "stopped" }));
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
      };
      setTurns((current) => [...current, turn]);
      void run(turn, mode);
    },
    [run],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const regenerate = useCallback(
    (mode: ChatMode) => {
      const last = turns.at(-1);
      if (!last?.question || busy) return;
      const turn: ChatTurn = { ...last, answer: "", sources: [], status: "retrieving" };
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
    setTurns([]);
  }, []);

  const loadThread = useCallback(
    async (id: string) => {
      abortRef.current?.abort();
      threadRef.current = id;
      setThreadId(id);
      setTurns([]);
      setLoading(true);
      try {
        const { messages } = await api.getThread(id);
        if (threadRef.current === id) setTurns(turnsFromMessages(messages));
      } catch (error) {
        onError(error);
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
    () => ({ turns, threadId, busy, loading, send, stop, regenerate, loadThread, reset, setFeedback }),
    [turns, threadId, busy, loading, send, stop, regenerate, loadThread, reset, setFeedback],
  );
  return <ChatContext.Provider value={value}>{props.children}</ChatContext.Provider>;
}

/** The conversation of the current workspace. */
export function useChat(): ChatValue {
  const value = useContext(ChatContext);
  if (!value) throw new Error("useChat must be used inside <ChatProvider>");
  return value;
}
