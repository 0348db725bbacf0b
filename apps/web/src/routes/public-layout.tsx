import type { ReactNode } from "react";
import { LanguageSwitch } from "../components/layout/language-switch";
import { NoticeArea } from "../components/layout/notice-area";
import { useI18n } from "../i18n/i18n";

/** The frame of the pages shown before signing in (login, first-run): brand, language and notices only. */
export function PublicLayout(props: { children: ReactNode }) {
  const { t } = useI18n();
  return (
    <div className="app public">
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header className="app-header">
        <span className="brand">{t("app.name")}</span>
        <div className="app-menu open public-menu">
          <LanguageSwitch />
        </div>
      </header>
      <NoticeArea />
      <main id="main" tabIndex={-1}>
        {props.children}
      </main>
    </div>
  );
}
