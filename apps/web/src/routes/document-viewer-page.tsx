import { lazy, Suspense, useCallback, useEffect, useMemo, useState } from "react";
import { useNavigate, useParams, useSearchParams } from "react-router";
import { flattenOutline, headingOutline, type OutlineNode } from "../components/viewer/heading-outline";
import { headingAnchorId, revealInText, TextView } from "../components/viewer/text-view";
import { localizeError } from "../i18n/error-messages";
import { useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import { type ApiError, toApiError } from "../lib/api-error";
import type { DocumentText } from "../lib/api-types";

// pdf.js (with its worker) and markmap (with d3) are large: each loads only when a document needs it.
const PdfView = lazy(() =>
  import("../components/viewer/pdf-view").then((module) => ({ default: module.PdfView })),
);
const MindMap = lazy(() =>
  import("../components/viewer/mind-map").then((module) => ({ default: module.MindMap })),
);

/** A positive whole page number from the address, or null. */
function pageFrom(value: string | null): number | null {
  const page = Number(value);
  return Number.isInteger(page) && page > 0 ? page : null;
}

/**
 * The document viewer at `/workspaces/:slug/documents/:documentId/view?chunk=<chunkId>&page=<n>`: a PDF rendered page
 * by page, opened at the cited page with the passage highlighted; any other document as text with the cited chunk
 * marked and scrolled into view, and its heading outline as a mind map beside it. The cited chunk's heading path is
 * shown as breadcrumbs, and the original stays one Download away.
 */
export function DocumentViewerPage() {
  const { t } = useI18n();
  const api = useApi();
  const navigate = useNavigate();
  const { slug = "", documentId = "" } = useParams();
  const [search, setSearch] = useSearchParams();
  const chunkId = search.get("chunk");
  const [loaded, setLoaded] = useState<DocumentText | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    setLoaded(null);
    setError(null);
    api
      .getDocumentText(slug, documentId)
      .then((body) => live && setLoaded(body))
      .catch((caught: unknown) => live && setError(toApiError(caught)));
    return () => {
      live = false;
    };
  }, [api, slug, documentId]);

  const cited = loaded?.chunks.find((chunk) => chunk.chunkId === chunkId) ?? null;
  const document = loaded?.document;
  // A PDF whose ingestion failed has no detected type, but its original is still a PDF to show.
  const isPdf = document?.type === "pdf" || (!document?.type && /\.pdf$/i.test(document?.name ?? ""));
  const page = pageFrom(search.get("page")) ?? cited?.page ?? 1;
  const outline = useMemo(() => (loaded && !isPdf ? headingOutline(loaded.chunks) : []), [loaded, isPdf]);
  const headings = useMemo(() => flattenOutline(outline), [outline]);
  const passage = useMemo(() => (cited ? { start: cited.start, end: cited.end } : null), [cited]);
  const pdfPassage = useMemo(
    () =>
      cited && loaded ? { text: loaded.text.slice(cited.start, cited.end), page: cited.page ?? 1 } : null,
    [cited, loaded],
  );
  const name = document?.name ?? "";
  const loadPdf = useCallback(
    async () => (await api.downloadDocument(slug, documentId, name)).arrayBuffer(),
    [api, slug, documentId, name],
  );
  const changePage = useCallback(
    (next: number) =>
      setSearch(
        (current) => {
          const updated = new URLSearchParams(current);
          updated.set("page", String(next));
          return updated;
        },
        { replace: true },
      ),
    [setSearch],
  );
  const goToHeading = useCallback((node: OutlineNode) => {
    const anchor = window.document.getElementById(headingAnchorId(node));
    if (anchor) revealInText(anchor);
  }, []);

  return (
    <section className="page document-viewer" aria-labelledby="viewer-title">
      <header className="viewer-header">
        <button type="button" className="button" onClick={() => navigate(-1)}>
          {t("viewer.back")}
        </button>
        <h1 id="viewer-title">{document ? (document.title ?? document.name) : t("viewer.loading")}</h1>
        <a className="button" href={api.documentFileUrl(slug, documentId)} download={name || true}>
          {t("viewer.download")}
        </a>
      </header>
      {document?.title && document.title !== document.name && <p className="muted">{document.name}</p>}
      {cited && cited.headings.length > 0 && (
        <nav className="breadcrumbs" aria-label={t("viewer.headingPath")}>
          <ol>
            {cited.headings.map((heading, position) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a heading path may repeat a title at two depths
              <li key={position}>{heading}</li>
            ))}
          </ol>
        </nav>
      )}
      {error && (
        <p className="inline-error" role="alert">
          {localizeError({ error, t })}
        </p>
      )}
      {!loaded && !error && <p className="muted">{t("viewer.loading")}</p>}
      {loaded && isPdf && (
        <Suspense fallback={<p className="muted">{t("viewer.loading")}</p>}>
          <PdfView load={loadPdf} page={page} onPageChange={changePage} passage={pdfPassage} />
        </Suspense>
      )}
      {loaded && !isPdf && loaded.text.length === 0 && <p className="muted">{t("viewer.noText")}</p>}
      {loaded && !isPdf && loaded.text.length > 0 && (
        <div className={outline.length > 0 ? "viewer-body with-outline" : "viewer-body"}>
          <TextView text={loaded.text} passage={passage} headings={headings} />
          {outline.length > 0 && (
            <Suspense fallback={<p className="muted">{t("viewer.loading")}</p>}>
              <MindMap title={document?.title ?? name} outline={outline} onSelect={goToHeading} />
            </Suspense>
          )}
        </div>
      )}
    </section>
  );
}
