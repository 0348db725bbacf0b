import { Navigate } from "react-router";
import { lastWorkspaceKey, useWorkspaces } from "../hooks/use-workspaces";
import { useI18n } from "../i18n/i18n";

/** `/`: the last workspace used, else the first, else onboarding. */
export function HomeRedirect() {
  const { t } = useI18n();
  const { workspaces } = useWorkspaces();
  if (workspaces === null) return <p className="page muted">{t("app.loading")}</p>;
  if (workspaces.length === 0) return <Navigate to="/welcome" replace />;
  let last: string | null = null;
  try {
    last = window.localStorage.getItem(lastWorkspaceKey);
  } catch {
    last = null;
  }
  const target = workspaces.find((workspace) => workspace.slug === last) ?? workspaces[0]!;
  return <Navigate to={`/workspaces/${encodeURIComponent(target.slug)}`} replace />;
}
