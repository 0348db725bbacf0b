import { useId } from "react";
import { useI18n } from "../../i18n/i18n";
import type { DocumentSummary } from "../../lib/api-types";

/** Which documents of a workspace's list to show. */
export interface DocumentFilter {
  /** Part of the name, any case; empty for all. */
  query: string;
  /** `active`: queued or being ingested. */
  status: "all" | "ready" | "active" | "failed";
}

/** The unfiltered view. */
export const NO_FILTER: DocumentFilter = { query: "", status: "all" };

/** The documents `filter` lets through, in their order. */
export function filterDocuments<Row extends Pick<DocumentSummary, "name" | "status">>(
  rows: readonly Row[],
  filter: DocumentFilter,
): Row[] {
  const query = filter.query.trim().toLocaleLowerCase();
  return rows.filter((row) => {
    if (query && !row.name.toLocaleLowerCase().includes(query)) return false;
    switch (filter.status) {
      case "all":
        return true;
      case "active":
        return row.status === "queued" || row.status === "processing";
      default:
        return row.status === filter.status;
    }
  });
}

/** A name box and a status choice above a workspace's documents, with how many of them are shown. */
export function DocumentFilterBar(props: {
  filter: DocumentFilter;
  onChange: (filter: DocumentFilter) => void;
  shown: number;
  total: number;
}) {
  const { t } = useI18n();
  const queryId = useId();
  const statusId = useId();
  const { filter, onChange } = props;
  return (
    <div className="document-filter row">
      <label htmlFor={queryId} className="visually-hidden">
        {t("documents.filterLabel")}
      </label>
      <input
        id={queryId}
        type="search"
        placeholder={t("documents.filterPlaceholder")}
        value={filter.query}
        onChange={(event) => onChange({ ...filter, query: event.target.value })}
      />
      <label htmlFor={statusId} className="visually-hidden">
        {t("documents.status")}
      </label>
      <select
        id={statusId}
        value={filter.status}
        onChange={(event) => onChange({ ...filter, status: event.target.value as DocumentFilter["status"] })}
      >
        <option value="all">{t("documents.statusAll")}</option>
        <option value="ready">{t("status.ready")}</option>
        <option value="active">{t("documents.statusActive")}</option>
        <option value="failed">{t("status.failed")}</option>
      </select>
      <span className="muted" role="status">
        {t("documents.shown", { shown: props.shown, total: props.total })}
      </span>
    </div>
  );
}
