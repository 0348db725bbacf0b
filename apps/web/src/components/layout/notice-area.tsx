import { useNotices } from "../../hooks/use-notices";
import { useI18n } from "../../i18n/i18n";

/** Shows notices: errors as alerts that stay until dismissed, confirmations as polite status messages. */
export function NoticeArea() {
  const { t } = useI18n();
  const { notices, dismiss } = useNotices();
  return (
    <section className="notice-area" aria-label={t("notice.region")}>
      {notices.map((notice) => (
        <div
          key={notice.id}
          className={`notice notice-${notice.kind}`}
          role={notice.kind === "error" ? "alert" : "status"}
        >
          <p className="notice-body">
            {notice.kind === "error" && <strong>{t("error.title")}: </strong>}
            {notice.text}
          </p>
          <button
            type="button"
            className="icon-button"
            aria-label={t("notice.dismiss")}
            onClick={() => dismiss(notice.id)}
          >
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
