import { lazy, Suspense, useEffect, useState } from "react";
import type { ChatTurn } from "../../hooks/use-chat";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import type { FeedbackRating, Source } from "../../lib/api-types";
import { ThumbDownIcon, ThumbUpIcon } from "../icons";
import { RerankNote } from "./rerank-note";

// The Markdown stack (parser, GFM) is a third of the client: it loads with the first answer, not with the page.
const MarkdownView = lazy(() =>
  import("../markdown/markdown-view").then((module) => ({ default: module.MarkdownView })),
);

/** Props of {@link TurnView}. */
export interface TurnViewProps {
  turn: ChatTurn;
  /** Only the last answer can be regenerated (or retried when it failed). */
  isLast: boolean;
  busy: boolean;
  onOpenSource: (source: Source) => void;
  /** Asks the question again: Regenerate for an answer, Retry for a failed one. */
  onRegenerate: () => void;
  onFeedback: (rating: FeedbackRating) => void;
}

/**
 * One question with its (streaming) answer, citations, source chips and answer actions; a regenerated answer has a
 * switcher (1/2) through its earlier versions.
 */
export function TurnView(props: TurnViewProps) {
  const { t } = useI18n();
  const { turn: current } = props;
  const [copied, setCopied] = useState(false);
  const versionCount = current.earlierVersions.length + 1;
  // Which version is shown, 0 the oldest; null follows the newest (a regenerated answer shows itself).
  const [chosen, setChosen] = useState<number | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version (regenerate) shows the newest again
  useEffect(() => setChosen(null), [versionCount]);
  const shown = chosen ?? versionCount - 1;
  const earlier = shown < versionCount - 1 ? current.earlierVersions[shown] : undefined;
  // An earlier version is shown like a finished answer, without the newest one's feedback (or rerank note).
  const turn = earlier
    ? {
        ...current,
        ...earlier,
        error: undefined,
        errorCode: undefined,
        messageId: undefined,
        rerank: undefined,
      }
    : current;
  const sourceByIndex = new Map(turn.sources.map((source) => [source.index, source]));
  const openIndex = (index: number) => {
    const source = sourceByIndex.get(index);
    if (source) props.onOpenSource(source);
  };
  const pending = turn.status === "retrieving" || turn.status === "streaming";
  const failed = turn.status === "error";

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
                ) : source.headings.length > 0 ? (
                  <span className="chip-headings">{source.headings.join(" › ")}</span>
                ) : null}
              </button>
            ))}
          </section>
        )}
        <RerankNote rerank={turn.rerank} />
        {!pending && (turn.answer || versionCount > 1 || failed) && (
          <div className="answer-actions">
            {versionCount > 1 && (
              <fieldset className="version-switch plain">
                <legend className="visually-hidden">{t("chat.versions")}</legend>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t("chat.previousVersion")}
                  title={t("chat.previousVersion")}
                  disabled={shown === 0}
                  onClick={() => setChosen(shown - 1)}
                >
                  ‹
                </button>
                <span aria-live="polite">
                  <span className="visually-hidden">{t("chat.version")} </span>
                  {t("chat.versionOf", { current: shown + 1, total: versionCount })}
                </span>
                <button
                  type="button"
                  className="icon-button"
                  aria-label={t("chat.nextVersion")}
                  title={t("chat.nextVersion")}
                  disabled={shown === versionCount - 1}
                  onClick={() => setChosen(shown + 1 === versionCount - 1 ? null : shown + 1)}
                >
                  ›
                </button>
              </fieldset>
            )}
            {turn.answer && (
              <button type="button" className="icon-button" onClick={() => void copy()}>
                {copied ? t("chat.copied") : t("chat.copy")}
              </button>
            )}
            {props.isLast && turn.question && failed && (
              <button
                type="button"
                className="icon-button"
                disabled={props.busy}
                onClick={props.onRegenerate}
              >
                {t("chat.retry")}
              </button>
            )}
            {props.isLast && turn.question && !failed && (
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
