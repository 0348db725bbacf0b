import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { useNotices } from "../../hooks/use-notices";
import { localizeError } from "../../i18n/error-messages";
import { type Translate, useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { toApiError } from "../../lib/api-error";
import type { NewSyncedSource, SyncedSource, SyncedSourceKind } from "../../lib/api-types";
import { formatTime } from "../../lib/format-time";
import { TextField } from "../forms/text-field";

/** How often the list is read again while a sync runs, in ms. */
const pollMs = 2_000;

/** The schedules offered, in minutes (0: on demand only). */
const schedules = [0, 60, 360, 1440] as const;

/** The schedule of a source in words: one of the offered ones, or every so many minutes (set over the API). */
export function scheduleLabel(minutes: number, t: Translate): string {
  switch (minutes) {
    case 0:
      return t("sources.every.0");
    case 60:
      return t("sources.every.60");
    case 360:
      return t("sources.every.360");
    case 1440:
      return t("sources.every.1440");
    default:
      return t("sources.everyMinutes", { minutes });
  }
}

/** A kind of source in words. */
export function kindLabel(kind: SyncedSourceKind, t: Translate): string {
  return t(
    kind === "folder" ? "sources.kind.folder" : kind === "git" ? "sources.kind.git" : "sources.kind.website",
  );
}

/** Where a source reads from, as one line: the folder, the site's address, the repository and branch. */
export function sourceLocation(source: Pick<SyncedSource, "kind" | "config">): string {
  const config = source.config as { path?: string; url?: string; branch?: string };
  if (source.kind === "folder") return config.path ?? "";
  if (source.kind === "git") return `${config.url ?? ""} (${config.branch ?? "main"})`;
  return config.url ?? "";
}

/** The request for a new source from the form's fields; blank optional fields are left to the server's defaults. */
export function newSourceFrom(fields: {
  kind: SyncedSourceKind;
  name: string;
  location: string;
  branch: string;
  maxDepth: string;
  maxPages: string;
  intervalMinutes: number;
}): NewSyncedSource {
  const name = fields.name.trim() ? { name: fields.name.trim() } : {};
  const location = fields.location.trim();
  const common = { ...name, intervalMinutes: fields.intervalMinutes };
  if (fields.kind === "folder") return { kind: "folder", config: { path: location }, ...common };
  if (fields.kind === "git") {
    return { kind: "git", config: { url: location, branch: fields.branch.trim() || "main" }, ...common };
  }
  const limits = {
    ...(fields.maxDepth.trim() ? { maxDepth: Number(fields.maxDepth) } : {}),
    ...(fields.maxPages.trim() ? { maxPages: Number(fields.maxPages) } : {}),
  };
  return { kind: "website", config: { url: location, ...limits }, ...common };
}

/**
 * A workspace's sources on its documents page: folders on the server, websites and Git branches whose documents the
 * server keeps in sync. Lists each with its last sync (when, how it ended, counts, last error); editors add one,
 * sync it now or delete it (only admins may add a folder). `onSynced` is told when a sync ends, so the document
 * list can be read again.
 */
export function SourcesPanel(props: {
  slug: string;
  canEdit: boolean;
  isAdmin: boolean;
  onSynced: () => void;
}) {
  const { slug, canEdit, isAdmin, onSynced } = props;
  const { t, locale } = useI18n();
  const api = useApi();
  const { showError, showInfo } = useNotices();
  const kindId = useId();
  const scheduleId = useId();
  const [sources, setSources] = useState<SyncedSource[] | null>(null);
  const [kind, setKind] = useState<SyncedSourceKind>("website");
  const [name, setName] = useState("");
  const [location, setLocation] = useState("");
  const [branch, setBranch] = useState("main");
  const [maxDepth, setMaxDepth] = useState("2");
  const [maxPages, setMaxPages] = useState("200");
  const [intervalMinutes, setIntervalMinutes] = useState<number>(60);
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const running = useRef(new Set<string>());
  // The page passes a new callback on each render; the latest is called, and reading the list does not restart.
  const onSyncedRef = useRef(onSynced);
  onSyncedRef.current = onSynced;

  const reload = useCallback(async () => {
    try {
      const listed = await api.listSources(slug);
      const nowRunning = new Set(
        listed.filter((source) => source.lastSync?.status === "running").map((source) => source.id),
      );
      const finished = [...running.current].some((id) => !nowRunning.has(id));
      running.current = nowRunning;
      setSources(listed);
      if (finished) onSyncedRef.current();
    } catch (error) {
      showError(error);
      setSources((current) => current ?? []);
    }
  }, [api, slug, showError]);

  useEffect(() => {
    setSources(null);
    running.current = new Set();
    void reload();
  }, [reload]);

  const anyRunning = sources?.some((source) => source.lastSync?.status === "running") ?? false;
  useEffect(() => {
    if (!anyRunning) return;
    const timer = setInterval(() => void reload(), pollMs);
    return () => clearInterval(timer);
  }, [anyRunning, reload]);

  async function create(event: FormEvent) {
    event.preventDefault();
    if (!location.trim()) {
      setFormError(t("sources.required"));
      return;
    }
    setPending(true);
    setFormError(null);
    try {
      const created = await api.createSource(
        slug,
        newSourceFrom({ kind, name, location, branch, maxDepth, maxPages, intervalMinutes }),
      );
      const started = await api.syncSource(slug, created.id);
      running.current.add(started.id);
      setSources((current) => [...(current ?? []).filter((source) => source.id !== started.id), started]);
      setName("");
      setLocation("");
      showInfo(t("sources.created", { name: created.name }));
    } catch (error) {
      setFormError(localizeError({ error: toApiError(error), t }));
    } finally {
      setPending(false);
    }
  }

  async function syncNow(source: SyncedSource) {
    try {
      const started = await api.syncSource(slug, source.id);
      running.current.add(started.id);
      setSources((current) => current?.map((item) => (item.id === started.id ? started : item)) ?? null);
    } catch (error) {
      showError(error);
    }
  }

  async function remove(source: SyncedSource) {
    if (!window.confirm(t("sources.deleteConfirm", { name: source.name }))) return;
    try {
      await api.deleteSource(slug, source.id);
      setSources((current) => current?.filter((item) => item.id !== source.id) ?? null);
      onSyncedRef.current();
    } catch (error) {
      showError(error);
    }
  }

  const kinds: SyncedSourceKind[] = isAdmin ? ["website", "git", "folder"] : ["website", "git"];
  const locationLabel =
    kind === "folder" ? t("sources.path") : kind === "git" ? t("sources.repository") : t("sources.url");
  const locationPlaceholder =
    kind === "folder"
      ? "/srv/shared/handbook"
      : kind === "git"
        ? "https://example.com/team/handbook.git"
        : "https://example.com/docs/";

  return (
    <section aria-labelledby="sources-title" className="card sources-panel">
      <h2 id="sources-title">{t("sources.title")}</h2>
      <p className="muted">{t("sources.intro")}</p>
      {canEdit && (
        <details className="source-add">
          <summary>{t("sources.addTitle")}</summary>
          <form className="inline-form" noValidate onSubmit={(event) => void create(event)}>
            <div className="field">
              <label htmlFor={kindId}>{t("sources.kind")}</label>
              <select
                id={kindId}
                value={kind}
                onChange={(event) => setKind(event.target.value as SyncedSourceKind)}
              >
                {kinds.map((option) => (
                  <option key={option} value={option}>
                    {kindLabel(option, t)}
                  </option>
                ))}
              </select>
            </div>
            <TextField
              label={locationLabel}
              value={location}
              placeholder={locationPlaceholder}
              onChange={(event) => setLocation(event.target.value)}
            />
            {kind === "git" && (
              <TextField
                label={t("sources.branch")}
                value={branch}
                onChange={(event) => setBranch(event.target.value)}
              />
            )}
            {kind === "website" && (
              <>
                <TextField
                  label={t("sources.maxDepth")}
                  type="number"
                  min={0}
                  max={10}
                  value={maxDepth}
                  onChange={(event) => setMaxDepth(event.target.value)}
                />
                <TextField
                  label={t("sources.maxPages")}
                  type="number"
                  min={1}
                  max={5000}
                  value={maxPages}
                  onChange={(event) => setMaxPages(event.target.value)}
                />
              </>
            )}
            <TextField
              label={t("sources.name")}
              hint={t("sources.nameHint")}
              value={name}
              onChange={(event) => setName(event.target.value)}
            />
            <div className="field">
              <label htmlFor={scheduleId}>{t("sources.schedule")}</label>
              <select
                id={scheduleId}
                value={intervalMinutes}
                onChange={(event) => setIntervalMinutes(Number(event.target.value))}
              >
                {schedules.map((minutes) => (
                  <option key={minutes} value={minutes}>
                    {scheduleLabel(minutes, t)}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" className="button primary" disabled={pending}>
              {t("sources.add")}
            </button>
          </form>
        </details>
      )}
      {formError && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
      {sources === null && <p className="muted">{t("app.loading")}</p>}
      {sources?.length === 0 && <p className="muted">{t("sources.empty")}</p>}
      {sources && sources.length > 0 && (
        <ul className="source-list" aria-label={t("sources.list")}>
          {sources.map((source) => {
            const last = source.lastSync;
            return (
              <li key={source.id} className="source-row">
                <div className="source-main">
                  <strong>{source.name}</strong> <span className="muted">{kindLabel(source.kind, t)}</span>
                  <div className="muted source-location" title={sourceLocation(source)}>
                    {sourceLocation(source)}
                  </div>
                  <div className="muted">
                    {t("sources.documents", { count: source.documents })} ·{" "}
                    {scheduleLabel(source.intervalMinutes, t)}
                  </div>
                </div>
                <div className="source-sync" role="status">
                  {!last && <span className="muted">{t("sources.neverSynced")}</span>}
                  {last?.status === "running" && <span>{t("sources.syncing")}</span>}
                  {last && last.status !== "running" && (
                    <>
                      <span>
                        {t(last.status === "done" ? "sources.syncedAt" : "sources.failedAt", {
                          time: formatTime(last.finishedAt ?? last.startedAt, locale),
                        })}
                      </span>
                      {last.status === "done" && (
                        <span className="muted">
                          {" "}
                          {t("sources.counts", {
                            added: last.added,
                            updated: last.updated,
                            deleted: last.deleted,
                            unchanged: last.unchanged,
                            failed: last.failed,
                          })}
                        </span>
                      )}
                      {last.error && <div className="field-error">{last.error}</div>}
                    </>
                  )}
                </div>
                {canEdit && (
                  <div className="document-actions">
                    <button
                      type="button"
                      className="button"
                      disabled={last?.status === "running"}
                      aria-label={t("sources.syncLabel", { name: source.name })}
                      onClick={() => void syncNow(source)}
                    >
                      {t("sources.sync")}
                    </button>
                    <button
                      type="button"
                      className="button danger"
                      aria-label={t("sources.deleteLabel", { name: source.name })}
                      onClick={() => void remove(source)}
                    >
                      {t("sources.delete")}
                    </button>
                  </div>
                )}
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
