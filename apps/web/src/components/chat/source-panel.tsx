import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { localizeError } from "../../i18n/error-messages";
import { type Translate, useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { type ApiError, toApiError } from "../../lib/api-error";
import type { Chunk, Source } from "../../lib/api-types";
import { documentViewerPath } from "../../lib/viewer-path";

/** Props of {@link SourcePanel}. */
export interface SourcePanelProps {
  slug: string;
  source: Source;
  onClose: () => void;
}

/**
 * How relevant a passage is, in words: its cosine relevance as a percentage, or "keyword match" for a passage found
 * by full text only (it has no relevance). Never the fused rank `score`, a tiny number that means nothing to a
 * reader. Null for answers stored before sources carried relevance.
 */
export function describeRelevance(source: Pick<Source, "relevance">, t: Translate): string | null {
  if (source.relevance === undefined) return null;
  if (source.relevance === null) return t("source.keywordMatch");
  const percent = Math.round(Math.min(Math.max(source.relevance, 0), 1) * 100);
  return t("source.relevance", { percent });
}

/** The cited chunk with its neighbours, once the document's chunks are loaded. */
interface Context {
  before?: Chunk;
  cited?: Chunk;
  after?: Chunk;
}

/**
 * Side panel for one cited source: the passage highlighted within the text around it, the document name,
 * page and heading path, a link to the document viewer at the passage (at its page, for PDFs) and a download of the
 * original file.
 */
export function SourcePanel(props: SourcePanelProps) {
  const { t } = useI18n();
  const api = useApi();
  const closeRef = useRef<HTMLButtonElement>(null);
  const [context, setContext] = useState<Context | null>(null);
  const [contextError, setContextError] = useState<ApiError | null>(null);
  const { source, slug, onClose } = props;

  // Focus goes back where it was (the citation or chip) when the panel closes.
  useEffect(() => {
    const opener = document.activeElement;
    return () => {
      if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    };
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: focus moves to the panel each time another source opens
  useEffect(() => {
    closeRef.current?.focus();
  }, [source.chunkId]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === "Escape") onClose();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [onClose]);

  useEffect(() => {
    let live = true;
    setContext(null);
    setContextError(null);
    api
      .listChunks(slug, source.documentId)
      .then((chunks) => {
        if (!live) return;
        const position = chunks.findIndex((chunk) => chunk.chunkId === source.chunkId);
        setContext(
          position === -1
            ? {}
            : { before: chunks[position - 1], cited: chunks[position], after: chunks[position + 1] },
        );
      })
      .catch((error: unknown) => live && setContextError(toApiError(error)));
    return () => {
      live = false;
    };
  }, [api, slug, source.documentId, source.chunkId]);

  const page = source.page ?? context?.cited?.page ?? null;
  const isPdf = /\.pdf$/i.test(source.documentName);
  const headings = context?.cited?.headings ?? source.headings;
  const relevanceText = describeRelevance(source, t);

  return (
    <aside className="source-panel" aria-labelledby="source-panel-title">
      <header>
        <h2 id="source-panel-title">{t("source.title", { index: source.index })}</h2>
        <button
          ref={closeRef}
          type="button"
          className="icon-button"
          onClick={onClose}
          aria-label={t("source.close")}
        >
          ×
        </button>
      </header>
      <dl className="source-meta">
        <dt>{t("source.document")}</dt>
        <dd>{source.documentName}</dd>
        {page ? (
          <>
            <dt className="visually-hidden">{t("source.page", { page })}</dt>
            <dd>{t("source.page", { page })}</dd>
          </>
        ) : null}
        {headings.length > 0 && (
          <>
            <dt>{t("source.headings")}</dt>
            <dd className="heading-path">{headings.join(" › ")}</dd>
          </>
        )}
        {relevanceText && (
          <>
            <dt className="visually-hidden">{relevanceText}</dt>
            <dd className="muted">{relevanceText}</dd>
          </>
        )}
      </dl>
      <div className="source-actions">
        <Link
          className="button"
          to={documentViewerPath({ slug, documentId: source.documentId, chunkId: source.chunkId, page })}
        >
          {isPdf && page ? t("source.openOriginalAtPage", { page }) : t("source.openOriginal")}
        </Link>
        <a
          className="button"
          href={api.documentFileUrl(slug, source.documentId)}
          download={source.documentName.split("/").at(-1)}
        >
          {t("source.download")}
        </a>
      </div>
      <div className="passage">
        {context?.before && <p className="passage-text passage-context">{context.before.text}</p>}
        <p className="passage-text">
          <span className="visually-hidden">{t("source.passage")}: </span>
          <mark>{context?.cited?.text ?? source.text}</mark>
        </p>
        {context?.after && <p className="passage-text passage-context">{context.after.text}</p>}
        {!context && !contextError && <p className="muted">{t("source.loadingContext")}</p>}
        {contextError && (
          <p className="inline-error" role="alert">
            {localizeError({ error: contextError, t })}
          </p>
        )}
      </div>
    </aside>
  );
}
