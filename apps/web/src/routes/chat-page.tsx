import { startTransition, useCallback, useEffect, useRef, useState } from "react";
import { Link, useNavigate, useOutletContext, useParams } from "react-router";
import { Composer } from "../components/chat/composer";
import { ModeSwitch } from "../components/chat/mode-switch";
import { SourcePanel } from "../components/chat/source-panel";
import { ThreadList } from "../components/chat/thread-list";
import { TurnView } from "../components/chat/turn-view";
import { useChat } from "../hooks/use-chat";
import { useSession } from "../hooks/use-session";
import { useI18n } from "../i18n/i18n";
import type { ChatMode, Source, Thread } from "../lib/api-types";
import type { WorkspaceOutletContext } from "./workspace-layout";

const modeKey = "zhiku.chatMode";

function storedMode(): ChatMode {
  try {
    return window.localStorage.getItem(modeKey) === "query" ? "query" : "chat";
  } catch {
    return "chat";
  }
}

/** `/workspaces/:slug` and `/workspaces/:slug/threads/:threadId`: the conversation. */
export function ChatPage() {
  const { t } = useI18n();
  const { threadId: routeThreadId } = useParams();
  const { workspace, threads, renameThread, deleteThread } = useOutletContext<WorkspaceOutletContext>();
  const chat = useChat();
  const { user } = useSession();
  const navigate = useNavigate();
  const [mode, setMode] = useState<ChatMode>(storedMode);
  const [source, setSource] = useState<Source | null>(null);
  const [threadsOpen, setThreadsOpen] = useState(false);
  const endRef = useRef<HTMLDivElement>(null);
  const base = `/workspaces/${encodeURIComponent(workspace.slug)}`;

  // The URL names the thread; the chat state follows it. A new thread gets its URL once the server stored it.
  useEffect(() => {
    if (routeThreadId && routeThreadId !== chat.threadId) void chat.loadThread(routeThreadId);
    else if (!routeThreadId && chat.threadId && !chat.busy) {
      navigate(`${base}/threads/${encodeURIComponent(chat.threadId)}`, { replace: true });
    }
  }, [routeThreadId, chat.threadId, chat.busy, chat.loadThread, navigate, base]);

  const lastTurn = chat.turns.at(-1);
  // biome-ignore lint/correctness/useExhaustiveDependencies: scroll to the end whenever the answer grows or a turn is added
  useEffect(() => {
    endRef.current?.scrollIntoView?.({ block: "end" });
  }, [lastTurn?.answer, chat.turns.length]);

  const changeMode = (next: ChatMode) => {
    setMode(next);
    try {
      window.localStorage.setItem(modeKey, next);
    } catch {
      // remembered for this visit only
    }
  };

  const newChat = () => {
    // One transition for both: React Router applies navigations as transitions, and a reset rendered before the
    // new address would let the effect above reload the old thread from the old address.
    startTransition(() => {
      chat.reset();
      setSource(null);
      setThreadsOpen(false);
      navigate(base);
    });
  };

  const onDelete = async (thread: Thread) => {
    await deleteThread(thread);
    if (thread.id === chat.threadId) newChat();
  };

  const closeSource = useCallback(() => setSource(null), []);

  const status = chat.busy
    ? lastTurn?.status === "retrieving"
      ? t("chat.thinking")
      : t("chat.generating")
    : lastTurn?.status === "done" && lastTurn.answer
      ? t("chat.answerDone")
      : "";

  return (
    <div className={`chat-page${source ? " with-source" : ""}`}>
      <aside className={`thread-sidebar${threadsOpen ? " open" : ""}`} aria-labelledby="threads-title">
        <div className="thread-sidebar-header">
          <h2 id="threads-title">{t("threads.title")}</h2>
          <button type="button" className="button primary" onClick={newChat}>
            {t("threads.newChat")}
          </button>
          <button
            type="button"
            className="icon-button drawer-close"
            aria-label={t("threads.close")}
            onClick={() => setThreadsOpen(false)}
          >
            ×
          </button>
        </div>
        <ThreadList
          slug={workspace.slug}
          threads={threads}
          onRename={renameThread}
          onDelete={onDelete}
          currentUserId={user?.id ?? null}
          onNavigate={() => setThreadsOpen(false)}
        />
      </aside>
      <section className="conversation" aria-labelledby="conversation-title">
        <div className="conversation-header">
          <button
            type="button"
            className="button threads-toggle"
            aria-expanded={threadsOpen}
            onClick={() => setThreadsOpen((open) => !open)}
          >
            {t("threads.title")}
          </button>
          <h1 id="conversation-title" className="visually-hidden">
            {t("chat.title")} · {workspace.name}
          </h1>
          <ModeSwitch mode={mode} onChange={changeMode} />
        </div>
        <div
          className="messages"
          role="log"
          aria-label={t("chat.messages")}
          aria-live="polite"
          aria-relevant="additions"
        >
          {chat.loading && <p className="muted">{t("chat.loadingThread")}</p>}
          {chat.threadProblem && (
            <div className="thread-problem" role="alert">
              <p>{t(chat.threadProblem === "forbidden" ? "chat.othersThread" : "chat.threadNotFound")}</p>
              <button type="button" className="button primary" onClick={newChat}>
                {t("threads.newChat")}
              </button>
            </div>
          )}
          {!chat.loading && !chat.threadProblem && chat.turns.length === 0 && (
            <div className="chat-empty">
              <p>{t("chat.empty", { workspace: workspace.name })}</p>
              <Link to={`${base}/documents`}>{t("nav.documents")}</Link>
            </div>
          )}
          {chat.turns.map((turn, position) => (
            <TurnView
              key={turn.key}
              turn={turn}
              isLast={position === chat.turns.length - 1}
              busy={chat.busy}
              onOpenSource={setSource}
              onRegenerate={() => chat.regenerate(mode)}
              onFeedback={(rating) => chat.setFeedback(turn.key, rating)}
            />
          ))}
          <div ref={endRef} />
        </div>
        <p className="visually-hidden" role="status" aria-live="polite">
          {status}
        </p>
        {!chat.threadProblem && (
          <Composer busy={chat.busy} onSend={(question) => chat.send(question, mode)} onStop={chat.stop} />
        )}
      </section>
      {source && <SourcePanel slug={workspace.slug} source={source} onClose={closeSource} />}
    </div>
  );
}
