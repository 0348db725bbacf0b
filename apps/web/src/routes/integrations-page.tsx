import { useCallback, useEffect, useState } from "react";
import { useSearchParams } from "react-router";
import { IntegrationCard } from "../components/integrations/integration-card";
import { IntegrationForm } from "../components/integrations/integration-form";
import { platformForms } from "../components/integrations/platform-fields";
import { WorkspaceSelect } from "../components/workspace/workspace-select";
import { useNotices } from "../hooks/use-notices";
import { useSession } from "../hooks/use-session";
import { useWorkspaces } from "../hooks/use-workspaces";
import { useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import type { Integration } from "../lib/api-types";

/**
 * `/settings/integrations` (administrators): the chat bots of one workspace (`?workspace=slug`). Connect one per
 * platform with the credentials it issued, copy the callback URL into the platform's console, change a bot (a
 * secret left empty stays as stored), switch it off and on, disconnect it.
 */
export function IntegrationsPage() {
  const { t } = useI18n();
  const api = useApi();
  const { user } = useSession();
  const { showError, showInfo } = useNotices();
  const { workspaces } = useWorkspaces();
  const [searchParams, setSearchParams] = useSearchParams();
  const isAdmin = user?.role === "admin";
  const slug = searchParams.get("workspace") ?? workspaces?.[0]?.slug ?? "";
  const workspace = workspaces?.find((item) => item.slug === slug) ?? workspaces?.[0];
  const [integrations, setIntegrations] = useState<Integration[] | null>(null);
  const [editing, setEditing] = useState<string | null>(null);

  // Keyed by the slug, not the workspace object: a refreshed workspace list must not reload (and close an open edit).
  const shownSlug = workspace?.slug;
  const reload = useCallback(async () => {
    if (!shownSlug) return;
    try {
      setIntegrations(await api.listIntegrations(shownSlug));
    } catch (error) {
      showError(error);
      setIntegrations((current) => current ?? []);
    }
  }, [api, shownSlug, showError]);

  useEffect(() => {
    setIntegrations(null);
    setEditing(null);
    if (isAdmin) void reload();
  }, [isAdmin, reload]);

  if (!isAdmin) {
    return (
      <section aria-labelledby="integrations-title">
        <h1 id="integrations-title">{t("integrations.title")}</h1>
        <p>{t("integrations.adminOnly")}</p>
      </section>
    );
  }

  const replace = (saved: Integration) =>
    setIntegrations((current) => (current ?? []).map((item) => (item.id === saved.id ? saved : item)));

  async function toggle(integration: Integration) {
    if (!workspace) return;
    try {
      const saved = await api.updateIntegration(workspace.slug, integration.id, {
        enabled: !integration.enabled,
      });
      replace(saved);
      showInfo(
        t(saved.enabled ? "integrations.switchedOn" : "integrations.switchedOff", { name: saved.name }),
      );
    } catch (error) {
      showError(error);
    }
  }

  async function remove(integration: Integration) {
    if (!workspace || !window.confirm(t("integrations.deleteConfirm", { name: integration.name }))) return;
    try {
      await api.deleteIntegration(workspace.slug, integration.id);
      setIntegrations((current) => (current ?? []).filter((item) => item.id !== integration.id));
      showInfo(t("integrations.deleted", { name: integration.name }));
    } catch (error) {
      showError(error);
    }
  }

  return (
    <section className="settings-page integrations-page" aria-labelledby="integrations-title">
      <h1 id="integrations-title">{t("integrations.title")}</h1>
      <p className="muted">{t("integrations.intro")}</p>
      {workspaces?.length === 0 && <p>{t("settings.noWorkspace")}</p>}
      {workspace && (
        <>
          <div className="field">
            <WorkspaceSelect
              workspaces={workspaces}
              value={workspace.slug}
              onChange={(chosen) => setSearchParams({ workspace: chosen })}
            />
          </div>

          <section aria-labelledby="integrations-list-title" className="stack">
            <h2 id="integrations-list-title">{t("integrations.list", { workspace: workspace.name })}</h2>
            {integrations === null && <p className="muted">{t("app.loading")}</p>}
            {integrations?.length === 0 && <p className="muted">{t("integrations.empty")}</p>}
            {integrations?.map((integration) =>
              editing === integration.id ? (
                <article
                  key={integration.id}
                  className="card"
                  aria-label={t("integrations.editing", { name: integration.name })}
                >
                  <IntegrationForm
                    workspaceSlug={workspace.slug}
                    existing={integration}
                    onSaved={(saved) => {
                      replace(saved);
                      setEditing(null);
                      showInfo(t("integrations.saved", { name: saved.name }));
                    }}
                    onCancel={() => setEditing(null)}
                  />
                </article>
              ) : (
                <IntegrationCard
                  key={integration.id}
                  integration={integration}
                  onEdit={() => setEditing(integration.id)}
                  onToggle={() => void toggle(integration)}
                  onDelete={() => void remove(integration)}
                />
              ),
            )}
          </section>

          <section aria-labelledby="integrations-add-title" className="card">
            <h2 id="integrations-add-title">{t("integrations.add")}</h2>
            <IntegrationForm
              key={workspace.slug}
              workspaceSlug={workspace.slug}
              onSaved={(created) => {
                setIntegrations((current) => [...(current ?? []), created]);
                showInfo(
                  t("integrations.created", {
                    name: created.name,
                    platform: t(platformForms[created.platform].label),
                  }),
                );
              }}
            />
          </section>
        </>
      )}
    </section>
  );
}
