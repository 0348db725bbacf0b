import { useEffect, useState } from "react";
import { NavLink, Outlet, useLocation, useMatch, useSearchParams } from "react-router";
import { LanguageSwitch } from "../components/layout/language-switch";
import { NoticeArea } from "../components/layout/notice-area";
import { WorkspaceSwitcher } from "../components/layout/workspace-switcher";
import { HealthBanner } from "../components/status/health-banner";
import { useHealth } from "../hooks/use-health";
import { useNotices } from "../hooks/use-notices";
import { useSession } from "../hooks/use-session";
import { lastWorkspaceKey } from "../hooks/use-workspaces";
import { useI18n } from "../i18n/i18n";

function rememberedWorkspace(): string | null {
  try {
    return window.localStorage.getItem(lastWorkspaceKey);
  } catch {
    return null;
  }
}

/** The frame of every page: header with workspace switcher, navigation and language; status banner; notices. */
export function RootLayout() {
  const { t } = useI18n();
  const location = useLocation();
  const workspaceMatch = useMatch("/workspaces/:slug/*");
  const [searchParams] = useSearchParams();
  // The settings page names its workspace in the query; the switcher shows the same one.
  const slug =
    workspaceMatch?.params.slug ??
    (location.pathname === "/settings" ? searchParams.get("workspace") : null) ??
    rememberedWorkspace() ??
    undefined;
  const onDocuments = location.pathname.endsWith("/documents");
  const { health, error, check, pull, pullModel } = useHealth();
  const session = useSession();
  const { showError } = useNotices();
  const [menuOpen, setMenuOpen] = useState(false);
  // The phone menu closes once the user went somewhere.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs on navigation
  useEffect(() => setMenuOpen(false), [location.pathname]);
  const base = slug ? `/workspaces/${encodeURIComponent(slug)}` : null;

  return (
    <div className="app">
      <a className="skip-link" href="#main">
        {t("app.skipToContent")}
      </a>
      <header className="app-header">
        <NavLink to="/" className="brand">
          {t("app.name")}
        </NavLink>
        <button
          type="button"
          className="button menu-button"
          aria-expanded={menuOpen}
          aria-controls="app-menu"
          onClick={() => setMenuOpen((open) => !open)}
        >
          {menuOpen ? t("app.closeMenu") : t("app.menu")}
        </button>
        <div id="app-menu" className={`app-menu${menuOpen ? " open" : ""}`}>
          <WorkspaceSwitcher slug={slug} section={onDocuments ? "documents" : "chat"} />
          <nav aria-label={t("nav.primary")}>
            {base && (
              <>
                <NavLink
                  to={base}
                  end={false}
                  className={({ isActive }) => (isActive && !onDocuments ? "active" : "")}
                >
                  {t("nav.chat")}
                </NavLink>
                <NavLink to={`${base}/documents`}>{t("nav.documents")}</NavLink>
              </>
            )}
            <NavLink to="/settings">{t("nav.settings")}</NavLink>
          </nav>
          <LanguageSwitch />
          {session.user && (
            <section className="account" aria-label={t("auth.account")}>
              <span className="account-email" title={t("auth.signedInAs", { email: session.user.email })}>
                {session.user.email}
              </span>
              <button type="button" className="button" onClick={() => void session.logout().catch(showError)}>
                {t("auth.signOut")}
              </button>
            </section>
          )}
        </div>
      </header>
      <HealthBanner
        health={health}
        error={error}
        pull={pull}
        onPull={(model) => void pullModel(model)}
        onRetry={() => void check()}
      />
      <NoticeArea />
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
