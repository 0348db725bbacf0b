import { NavLink, Outlet } from "react-router";
import { useSession } from "../hooks/use-session";
import { useI18n } from "../i18n/i18n";

/** `/settings/*`: the sections of the settings (users, audit log and integrations for administrators only) above the page. */
export function SettingsLayout() {
  const { t } = useI18n();
  const { user } = useSession();
  return (
    <div className="page settings-layout">
      <nav className="settings-nav" aria-label={t("settingsNav.label")}>
        <NavLink to="/settings" end>
          {t("settingsNav.general")}
        </NavLink>
        <NavLink to="/settings/api-keys">{t("settingsNav.apiKeys")}</NavLink>
        {user?.role === "admin" && (
          <>
            <NavLink to="/settings/users">{t("settingsNav.users")}</NavLink>
            <NavLink to="/settings/audit">{t("settingsNav.audit")}</NavLink>
            <NavLink to="/settings/integrations">{t("settingsNav.integrations")}</NavLink>
          </>
        )}
      </nav>
      <Outlet />
    </div>
  );
}
