import { lazy, Suspense, useState } from "react";
import type { ChatTurn } from "../../hooks/use-chat";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import type { FeedbackRating, Source } from "../../lib/api-types";
import { ThumbDownIcon, ThumbUpIcon } from "../icons";

// The Markdown stack (parser, GFM) is a third of the client: it loads with the first answer, not with the page.
const MarkdownView = lazy(() =>
  import("../markdown/markdown-view").then((module) => ({ default: module.MarkdownView })),
);

/** Props of {@link TurnView}. */
export interface TurnViewProps {
  turn: ChatTurn;
  /** Only the last answer can be regenerated. */
  isLast: boolean;
  busy: boolean;
  onOpenSource: (source: Source) => void;
  onRegenerate: () => void;
  onFeedback: (rating: FeedbackRating) => void;
}

/** One question with its (streaming) answer, citations, source chips and answer actions. */
export function TurnView(props: TurnViewProps) {
  const { t } = useI18n();
  const { turn } = props;
  const [copied, setCopied] = useState(false);
  const sourceByIndex = new Map(turn.sources.map((source) => [source.index, source]));
  const openIndex = (index: number) => {
    const source = sourceByIndex.get(index);
    if (source) props.onOpenSource(source);
  };
  const pending = turn.status === "retrieving" || turn.status === "streaming";

  async function copy() {
    await navigator.clipboard?.writeText(turn.answer);
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  }

  return (
    <article className="turn">
      {turn.question && (
        <div className="message user">
          <span className="visually-hidden">{t("chat.you")}: </span>
          <p>{turn.question}</p>
        </div>
      )}
      <div className="message assistant" aria-busy={pending}>
        <span className="visually-hidden">{t("chat.assistant")}: </span>
        {turn.status === "retrieving" && <p className="muted">{t("chat.thinking")}</p>}
        {turn.answer && (
          <Suspense fallback={<p className="plain-answer">{turn.answer}</p>}>
            <MarkdownView
              markdown={turn.answer}
              onCite={turn.sources.length > 0 ? openIndex : undefined}
              sourceCount={turn.sources.length > 0 ? Math.max(...sourceByIndex.keys()) : undefined}
            />
          </Suspense>
        )}
        {turn.status === "stopped" && <p className="muted">{t("chat.stopped")}</p>}
        {turn.status === "error" && (
          <p className="inline-error" role="alert">
            {t("error.stream", {
              message: localizeError({ error: { code: turn.errorCode, message: turn.error ?? "" }, t }),
            })}
          </p>
        )}
        {turn.sources.length > 0 && (
          <section className="source-chips" aria-label={t("chat.sources")}>
            {turn.sources.map((source) => (
              <button
                key={source.index}
                type="button"
                className="chip"
                aria-label={t("chat.sourceChip", { index: source.index, name: source.documentName })}
                onClick={() => props.onOpenSource(source)}
              >
                <span className="chip-index">{source.index}</span>
                <span className="chip-name">{source.documentName}</span>
                {source.page ? (
                  <span className="chip-page">{t("source.page", { page: source.page })}</span>
                ) : null}
              </button>
            ))}
          </section>
        )}
        {!pending && turn.answer && (
          <div className="answer-actions">
            <button type="button" className="icon-button" onClick={() => void copy()}>
              {copied ? t("chat.copied") : t("chat.copy")}
            </button>
            {props.isLast && turn.question && (
              <button
                type="button"
                className="icon-button"
                disabled={props.busy}
                onClick={props.onRegenerate}
              >
                {t("chat.regenerate")}
              </button>
            )}
            {turn.messageId && (
              <>
                <button
                  type="button"
                  className="icon-button"
                  aria-pressed={turn.feedback === "up"}
                  aria-label={t("chat.thumbsUp")}
                  title={t("chat.thumbsUp")}
                  onClick={() => props.onFeedback("up")}
                >
                  <ThumbUpIcon />
                </button>
                <button
                  type="button"
                  className="icon-button"
                  aria-pressed={turn.feedback === "down"}
                  aria-label={t("chat.thumbsDown")}
                  title={t("chat.thumbsDown")}
                  onClick={() => props.onFeedback("down")}
                >
                  <ThumbDownIcon />
                </button>
              </>
            )}
          </div>
        )}
      </div>
    </article>
  );
}
