import { useCallback, useEffect, useState } from "react";
import { useNotices } from "../hooks/use-notices";
import { useSession } from "../hooks/use-session";
import { useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import type { AuditEvent } from "../lib/api-types";
import { formatTime } from "../lib/format-time";

/** Entries per page of the audit log. */
export const auditPageSize = 50;

/** Details of an event as one readable line: `key: value` pairs, a string as it is. */
export function detailsText(details: unknown): string {
  if (details === null || details === undefined) return "";
  if (typeof details !== "object") return String(details);
  if (Array.isArray(details)) return details.map(detailsText).join(", ");
  return Object.entries(details as Record<string, unknown>)
    .map(
      ([key, value]) =>
        `${key}: ${typeof value === "object" && value !== null ? JSON.stringify(value) : String(value)}`,
    )
    .join(" · ");
}

/**
 * `/settings/audit` (administrators): sign-ins, permission changes, uploads and deletions, newest first,
 * a page at a time; "older" asks for the entries before the last one shown.
 */
export function AuditPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { user } = useSession();
  const { showError } = useNotices();
  // The cursors of the pages visited: undefined for the newest page, then the id each older page starts before.
  const [cursors, setCursors] = useState<(string | number | undefined)[]>([undefined]);
  const [events, setEvents] = useState<AuditEvent[] | null>(null);
  const isAdmin = user?.role === "admin";
  const cursor = cursors.at(-1);

  const load = useCallback(
    async (before: string | number | undefined) => {
      setEvents(null);
      try {
        setEvents(await api.listAudit({ limit: auditPageSize, ...(before === undefined ? {} : { before }) }));
      } catch (error) {
        showError(error);
        setEvents([]);
      }
    },
    [api, showError],
  );

  useEffect(() => {
    if (isAdmin) void load(cursor);
  }, [isAdmin, load, cursor]);

  if (!isAdmin) {
    return (
      <section aria-labelledby="audit-title">
        <h1 id="audit-title">{t("audit.title")}</h1>
        <p>{t("users.adminOnly")}</p>
      </section>
    );
  }

  const last = events?.at(-1);
  const hasOlder = events !== null && events.length === auditPageSize && last !== undefined;

  return (
    <section className="audit-page" aria-labelledby="audit-title">
      <h1 id="audit-title">{t("audit.title")}</h1>
      <p className="muted">{t("audit.intro")}</p>
      {events === null && <p className="muted">{t("app.loading")}</p>}
      {events?.length === 0 && (
        <p className="muted">{cursors.length > 1 ? t("audit.end") : t("audit.empty")}</p>
      )}
      {events && events.length > 0 && (
        <div className="table-scroll">
          <table className="data-table audit-table">
            <caption className="visually-hidden">{t("audit.page", { page: cursors.length })}</caption>
            <thead>
              <tr>
                <th scope="col">{t("audit.at")}</th>
                <th scope="col">{t("audit.actor")}</th>
                <th scope="col">{t("audit.action")}</th>
                <th scope="col">{t("audit.target")}</th>
                <th scope="col">{t("audit.details")}</th>
                <th scope="col">{t("audit.ip")}</th>
              </tr>
            </thead>
            <tbody>
              {events.map((event) => (
                <tr key={event.id}>
                  <td className="nowrap">
                    <time dateTime={event.at}>{formatTime(event.at, locale)}</time>
                  </td>
                  <td>{event.actor?.email ?? t("audit.system")}</td>
                  <td className="nowrap">
                    <code>{event.action}</code>
                  </td>
                  <td className="audit-target">{event.target ?? ""}</td>
                  <td className="audit-details">{detailsText(event.details)}</td>
                  <td className="nowrap">{event.ip ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div className="row pager">
        {cursors.length > 1 && (
          <button type="button" className="button" onClick={() => setCursors([undefined])}>
            {t("audit.newest")}
          </button>
        )}
        <button
          type="button"
          className="button"
          disabled={!hasOlder}
          onClick={() => last && setCursors((current) => [...current, last.id])}
        >
          {t("audit.older")}
        </button>
        {events !== null && <span className="muted">{t("audit.page", { page: cursors.length })}</span>}
      </div>
    </section>
  );
}
