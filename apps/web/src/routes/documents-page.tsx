import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { Link, useOutletContext } from "react-router";
import { ChunkViewer } from "../components/documents/chunk-viewer";
import {
  type DocumentFilter,
  DocumentFilterBar,
  filterDocuments,
  NO_FILTER,
} from "../components/documents/document-filter";
import { DropZone } from "../components/documents/drop-zone";
import { SourcesPanel } from "../components/documents/sources-panel";
import { UploadProgress } from "../components/documents/upload-progress";
import { useDocumentEvents } from "../hooks/use-document-events";
import { useNotices } from "../hooks/use-notices";
import { useSession } from "../hooks/use-session";
import { useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import { ApiError } from "../lib/api-error";
import type { DocumentProgress, DocumentSummary } from "../lib/api-types";
import { documentViewerPath } from "../lib/viewer-path";
import type { WorkspaceOutletContext } from "./workspace-layout";

/** Fields that say why a document failed; a list or a retry also says "none" (null), an event leaves them out. */
type Failure = "error" | "errorCode";

/** A document row: what the list, an upload's answer and the latest progress event told about the document. */
type DocumentRow = Pick<DocumentSummary, "id" | "name" | "status"> &
  Partial<Omit<DocumentSummary, Failure>> &
  // An event's `pages` (during OCR) is the document's page count, as the summary's is (which may be null).
  Partial<Omit<DocumentProgress, Failure | "pages">> & {
    error?: string | null;
    errorCode?: string | null;
  };

/**
 * The row fields a progress event sets. An event carries its error (with its code) or none: a row merged with it
 * must not keep an older error, such as "retrying in 2 s" once the retry is processing.
 */
export function rowFromEvent(progress: DocumentProgress): DocumentRow {
  return { ...progress, error: progress.error ?? null, errorCode: progress.errorCode ?? null };
}

/** Merges rows by id, keeping the order of first appearance (newest uploads first). */
function mergeRows(current: DocumentRow[], incoming: DocumentRow[], prepend: boolean): DocumentRow[] {
  const byId = new Map(current.map((row) => [row.id, row]));
  const added: DocumentRow[] = [];
  for (const row of incoming) {
    const existing = byId.get(row.id);
    if (existing) byId.set(row.id, { ...existing, ...row });
    else {
      byId.set(row.id, row);
      added.push(row);
    }
  }
  const kept = current.map((row) => byId.get(row.id)!);
  return prepend ? [...added, ...kept] : [...kept, ...added];
}

/**
 * Adds the documents an upload returned. A row the event stream already created wins: its events are newer
 * than the upload's "queued" answer, which can arrive after ingestion already moved on.
 */
function addUploaded(current: DocumentRow[], uploaded: DocumentRow[]): DocumentRow[] {
  const known = new Set(current.map((row) => row.id));
  return [...uploaded.filter((row) => !known.has(row.id)), ...current];
}

/** `/workspaces/:slug/documents`: upload, synced sources, progress, delete, retry, download and chunks. */
export function DocumentsPage() {
  const { t } = useI18n();
  const api = useApi();
  const { showError } = useNotices();
  const { workspace } = useOutletContext<WorkspaceOutletContext>();
  const { user } = useSession();
  const slug = workspace.slug;
  // Viewers read and ask; uploads and changes are for editors and owners (the server refuses them anyway).
  const canEdit = workspace.myRole !== "viewer";
  const [rows, setRows] = useState<DocumentRow[] | null>(null);
  const [uploading, setUploading] = useState(0);
  const [url, setUrl] = useState("");
  const [openChunks, setOpenChunks] = useState<string | null>(null);
  const [filter, setFilter] = useState<DocumentFilter>(NO_FILTER);
  const urlId = useId();

  const reload = useCallback(async () => {
    try {
      const documents = await api.listDocuments(slug);
      setRows((current) => {
        // The list is the truth; progress details of still-running documents are kept from events.
        const previous = new Map((current ?? []).map((row) => [row.id, row]));
        return documents.map((document) => {
          const row = previous.get(document.id);
          return row && document.status === "processing"
            ? { ...row, ...document, stage: row.stage }
            : document;
        });
      });
    } catch (error) {
      showError(error);
      setRows((current) => current ?? []);
    }
  }, [api, slug, showError]);

  useEffect(() => {
    setRows(null);
    setFilter(NO_FILTER);
    void reload();
  }, [reload]);

  useDocumentEvents({
    url: api.documentEventsUrl(slug),
    onProgress: (progress) => {
      setRows((current) => {
        const clean = rowFromEvent(progress);
        // A new stage resets counters the previous stage had.
        if (progress.stage !== "embedding") {
          delete clean.done;
          delete clean.total;
        }
        return mergeRows(current ?? [], [clean], true);
      });
    },
    onOpen: () => void reload(),
  });

  async function upload(files: File[]) {
    setUploading(files.length);
    try {
      const documents = await api.uploadDocuments(slug, files);
      setRows((current) => addUploaded(current ?? [], documents));
    } catch (error) {
      showError(error);
    } finally {
      setUploading(0);
    }
  }

  async function addUrl(event: FormEvent) {
    event.preventDefault();
    const address = url.trim();
    if (!address) return;
    try {
      const documents = await api.ingestUrl(slug, address);
      setRows((current) => addUploaded(current ?? [], documents));
      setUrl("");
    } catch (error) {
      showError(error);
    }
  }

  async function remove(row: DocumentRow) {
    if (!window.confirm(t("documents.deleteConfirm", { name: row.name }))) return;
    try {
      await api.deleteDocument(slug, row.id);
      setRows((current) => current?.filter((item) => item.id !== row.id) ?? null);
    } catch (error) {
      showError(error);
    }
  }

  async function cancel(row: DocumentRow) {
    try {
      const updated = await api.cancelDocument(slug, row.id);
      setRows((current) => mergeRows(current ?? [], [updated], false));
    } catch (error) {
      showError(error);
    }
  }

  async function retry(row: DocumentRow) {
    try {
      await api.retryDocument(slug, row.id);
      setRows((current) =>
        mergeRows(
          current ?? [],
          [{ id: row.id, name: row.name, status: "queued", error: null, errorCode: null }],
          false,
        ),
      );
    } catch (error) {
      // A server without the retry route: upload the stored original again, which queues a new attempt.
      if (
        error instanceof ApiError &&
        (error.status === 404 || error.status === 405) &&
        !error.code.startsWith("not_found:document")
      ) {
        try {
          await upload([await api.downloadDocument(slug, row.id, row.name)]);
        } catch (fallbackError) {
          showError(fallbackError);
        }
      } else showError(error);
    }
  }

  const shown = rows ? filterDocuments(rows, filter) : [];

  return (
    <section className="page documents-page" aria-labelledby="documents-title">
      <h1 id="documents-title">
        {t("documents.title")} · {workspace.name}
      </h1>
      {!canEdit && <p className="muted viewer-note">{t("documents.viewerNote")}</p>}
      {canEdit && <DropZone onFiles={(files) => void upload(files)} disabled={uploading > 0} />}
      {uploading > 0 && (
        <p role="status" className="muted">
          {t("documents.uploading", { count: uploading })}
        </p>
      )}
      {canEdit && (
        <form className="url-form" onSubmit={(event) => void addUrl(event)}>
          <label htmlFor={urlId}>{t("documents.urlLabel")}</label>
          <div className="row">
            <input
              id={urlId}
              type="url"
              inputMode="url"
              placeholder={t("documents.urlPlaceholder")}
              value={url}
              onChange={(event) => setUrl(event.target.value)}
            />
            <button type="submit" className="button" disabled={!url.trim()}>
              {t("documents.urlAdd")}
            </button>
          </div>
        </form>
      )}
      <SourcesPanel
        slug={slug}
        canEdit={canEdit}
        isAdmin={user?.role === "admin"}
        onSynced={() => void reload()}
      />
      {rows === null && <p className="muted">{t("app.loading")}</p>}
      {rows?.length === 0 && <p className="muted">{t("documents.empty")}</p>}
      {rows && rows.length > 1 && (
        <DocumentFilterBar filter={filter} onChange={setFilter} shown={shown.length} total={rows.length} />
      )}
      {rows && rows.length > 0 && shown.length === 0 && <p className="muted">{t("documents.noMatch")}</p>}
      {shown.length > 0 && (
        <ul className="document-list" aria-label={t("documents.list")}>
          {shown.map((row) => (
            <li key={row.id} className="document-row">
              <div className="document-main">
                <span className="document-name" title={row.name}>
                  {row.name}
                </span>
                {row.status === "ready" && row.chunks !== undefined && (
                  <span className="muted">{t("documents.chunks", { count: row.chunks })}</span>
                )}
              </div>
              <UploadProgress
                progress={{
                  ...row,
                  error: row.error ?? undefined,
                  errorCode: row.errorCode ?? undefined,
                  pages: row.pages ?? undefined,
                }}
              />
              <div className="document-actions">
                <a className="button" href={api.documentFileUrl(slug, row.id)} download={row.name}>
                  {t("documents.download")}
                </a>
                {row.status === "ready" && (
                  <Link className="button" to={documentViewerPath({ slug, documentId: row.id })}>
                    {t("documents.view")}
                  </Link>
                )}
                {row.status === "ready" && (
                  <button
                    type="button"
                    className="button"
                    aria-expanded={openChunks === row.id}
                    onClick={() => setOpenChunks((open) => (open === row.id ? null : row.id))}
                  >
                    {openChunks === row.id ? t("documents.hideChunks") : t("documents.viewChunks")}
                  </button>
                )}
                {canEdit && (row.status === "queued" || row.status === "processing") && (
                  <button type="button" className="button" onClick={() => void cancel(row)}>
                    {t("documents.cancel")}
                  </button>
                )}
                {canEdit && row.status === "failed" && (
                  <button type="button" className="button" onClick={() => void retry(row)}>
                    {t("documents.retry")}
                  </button>
                )}
                {canEdit && (
                  <button type="button" className="button danger" onClick={() => void remove(row)}>
                    {t("documents.delete")}
                  </button>
                )}
              </div>
              {openChunks === row.id && <ChunkViewer slug={slug} documentId={row.id} name={row.name} />}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
