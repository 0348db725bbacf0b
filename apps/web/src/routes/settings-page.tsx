import { type FormEvent, useEffect, useId, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { PasswordForm } from "../components/account/password-form";
import { LanguageSwitch } from "../components/layout/language-switch";
import { PullProgress } from "../components/status/health-banner";
import { MembersPanel } from "../components/workspace/members-panel";
import { ModelSelect } from "../components/workspace/model-select";
import { WidgetKeysPanel } from "../components/workspace/widget-keys-panel";
import { WorkspaceSelect } from "../components/workspace/workspace-select";
import { useHealth } from "../hooks/use-health";
import { useNotices } from "../hooks/use-notices";
import { lastWorkspaceKey, useWorkspaces } from "../hooks/use-workspaces";
import { type Translate, useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import type { SearchMode, Workspace, WorkspaceUpdate } from "../lib/api-types";

/** Form state: fields as typed or chosen, converted on save. */
interface SettingsForm {
  name: string;
  chatModel: string;
  topK: string;
  mode: SearchMode | "";
  systemPrompt: string;
  temperature: string;
  relevanceCutoff: string;
}

function formOf(workspace: Workspace): SettingsForm {
  const settings = workspace.settings ?? {};
  return {
    name: workspace.name,
    chatModel: settings.chatModel ?? "",
    topK: settings.topK?.toString() ?? "",
    mode: settings.mode ?? "",
    systemPrompt: settings.systemPrompt ?? "",
    temperature: settings.temperature?.toString() ?? "",
    relevanceCutoff: settings.relevanceCutoff?.toString() ?? "",
  };
}

/** Settings to send: an empty field is sent as null, which returns it to the server's default. */
function settingsOf(form: SettingsForm): NonNullable<WorkspaceUpdate["settings"]> {
  const number = (text: string) => (text.trim() ? Number(text) : null);
  return {
    chatModel: form.chatModel.trim() || null,
    topK: number(form.topK),
    mode: form.mode || null,
    systemPrompt: form.systemPrompt.trim() ? form.systemPrompt : null,
    temperature: number(form.temperature),
    relevanceCutoff: number(form.relevanceCutoff),
  };
}

/** The cut-off query mode uses now and where it comes from, for the hint under the manual field. */
function cutoffInForce(workspace: Workspace, t: Translate): string {
  const { refusal } = workspace;
  const value = refusal.cutoff.toFixed(2);
  if (refusal.source === "manual") return t("settings.cutoffManual", { value });
  if (refusal.source === "calibrated" && refusal.calibration) {
    return t("settings.cutoffCalibrated", {
      value,
      model: refusal.calibration.model,
      pairs: refusal.calibration.pairs.toLocaleString(),
      probes: String(refusal.calibration.probes),
    });
  }
  return t("settings.cutoffDefault", { value });
}

/**
 * `/settings`: language, the user's account (password), models, and the settings and members of one
 * workspace (`?workspace=slug`, members at `#members`); only its owners (and admins) may change those.
 */
export function SettingsPage() {
  const { t } = useI18n();
  const api = useApi();
  const { showError, showInfo } = useNotices();
  const { workspaces, replace, refresh } = useWorkspaces();
  const { health, pull, pullModel } = useHealth();
  const navigate = useNavigate();
  const [searchParams, setSearchParams] = useSearchParams();
  const ids = {
    name: useId(),
    model: useId(),
    modelHint: useId(),
    topK: useId(),
    mode: useId(),
    prompt: useId(),
    temperature: useId(),
    cutoff: useId(),
    cutoffInForce: useId(),
  };

  let remembered: string | null = null;
  try {
    remembered = window.localStorage.getItem(lastWorkspaceKey);
  } catch {
    remembered = null;
  }
  const slug = searchParams.get("workspace") ?? remembered ?? workspaces?.[0]?.slug ?? "";
  const workspace = workspaces?.find((item) => item.slug === slug) ?? workspaces?.[0];
  const [form, setForm] = useState<SettingsForm | null>(null);
  const [saving, setSaving] = useState(false);
  // A server without accounts sends no role: everyone may do everything there.
  const canManage = !workspace?.myRole || workspace.myRole === "owner";

  useEffect(() => {
    setForm(workspace ? formOf(workspace) : null);
  }, [workspace]);

  const field = (key: keyof SettingsForm) => ({
    value: form?.[key] ?? "",
    onChange: (event: { target: { value: string } }) =>
      setForm((current) => (current ? { ...current, [key]: event.target.value } : current)),
  });

  async function save(event: FormEvent) {
    event.preventDefault();
    if (!workspace || !form) return;
    setSaving(true);
    try {
      const updated = await api.updateWorkspace(workspace.slug, {
        name: form.name.trim() || workspace.name,
        settings: settingsOf(form),
      });
      replace(updated);
      showInfo(t("settings.saved"));
    } catch (error) {
      showError(error);
    } finally {
      setSaving(false);
    }
  }

  async function remove() {
    if (!workspace || !window.confirm(t("settings.deleteConfirm", { name: workspace.name }))) return;
    try {
      await api.deleteWorkspace(workspace.slug);
      await refresh();
      navigate("/");
    } catch (error) {
      showError(error);
    }
  }

  const models = health ? [health.ollama.chatModel, health.ollama.embedModel] : [];

  return (
    <section className="settings-page" aria-labelledby="settings-title">
      <h1 id="settings-title">{t("settings.title")}</h1>

      <PasswordForm />

      <section aria-labelledby="language-title" className="card">
        <h2 id="language-title">{t("settings.language")}</h2>
        <LanguageSwitch showLabel />
      </section>

      <section aria-labelledby="models-title" className="card">
        <h2 id="models-title">{t("settings.models")}</h2>
        {health && !health.ollama.reachable && <p>{t("health.unreachable")}</p>}
        {!health && <p className="muted">{t("app.loading")}</p>}
        <ul className="model-list">
          {models.map((model) => (
            <li key={model.name}>
              <span>{model.name}</span>{" "}
              {health?.ollama.reachable && !model.available ? (
                <button type="button" className="button" onClick={() => void pullModel(model.name)}>
                  {t("health.pull", { model: model.name })}
                </button>
              ) : (
                <span className="muted">{model.available ? t("status.ready") : "—"}</span>
              )}
            </li>
          ))}
        </ul>
        {pull && <PullProgress pull={pull} />}
      </section>

      <section aria-labelledby="workspace-settings-title" className="card">
        <h2 id="workspace-settings-title">{t("settings.workspace")}</h2>
        {workspaces?.length === 0 && <p>{t("settings.noWorkspace")}</p>}
        {workspace && form && (
          <form className="stack" onSubmit={(event) => void save(event)}>
            <WorkspaceSelect
              workspaces={workspaces}
              value={workspace.slug}
              onChange={(chosen) => setSearchParams({ workspace: chosen })}
            />
            {workspace.myRole && (
              <p className="muted">{t("members.yourRole", { role: t(`role.${workspace.myRole}`) })}</p>
            )}
            {!canManage && <p className="muted">{t("members.ownerOnly")}</p>}
            <fieldset className="stack plain" disabled={!canManage}>
              <label htmlFor={ids.name}>{t("settings.name")}</label>
              <input id={ids.name} required {...field("name")} />
              <label htmlFor={ids.model}>{t("settings.chatModel")}</label>
              <ModelSelect
                id={ids.model}
                describedBy={ids.modelHint}
                value={form.chatModel}
                defaultModel={health?.ollama.chatModel.name}
                onChange={(chatModel) =>
                  setForm((current) => (current ? { ...current, chatModel } : current))
                }
              />
              <p id={ids.modelHint} className="muted hint">
                {t("settings.chatModelHint")}
              </p>
              <label htmlFor={ids.topK}>{t("settings.topK")}</label>
              <input id={ids.topK} type="number" min={1} max={50} step={1} {...field("topK")} />
              <label htmlFor={ids.mode}>{t("settings.mode")}</label>
              <select id={ids.mode} {...field("mode")}>
                <option value="">—</option>
                <option value="hybrid">{t("settings.modeHybrid")}</option>
                <option value="vector">{t("settings.modeVector")}</option>
                <option value="fulltext">{t("settings.modeFulltext")}</option>
              </select>
              <label htmlFor={ids.prompt}>{t("settings.systemPrompt")}</label>
              <textarea id={ids.prompt} rows={4} {...field("systemPrompt")} />
              <label htmlFor={ids.temperature}>{t("settings.temperature")}</label>
              <input
                id={ids.temperature}
                type="number"
                min={0}
                max={2}
                step={0.1}
                {...field("temperature")}
              />
              <label htmlFor={ids.cutoff}>{t("settings.relevanceCutoff")}</label>
              <input
                id={ids.cutoff}
                type="number"
                min={0}
                max={1}
                step={0.01}
                aria-describedby={ids.cutoffInForce}
                {...field("relevanceCutoff")}
              />
              <p id={ids.cutoffInForce} className="muted hint">
                {cutoffInForce(workspace, t)}
              </p>
            </fieldset>
            {canManage && (
              <div className="row">
                <button type="submit" className="button primary" disabled={saving}>
                  {t("settings.save")}
                </button>
                <button type="button" className="button danger" onClick={() => void remove()}>
                  {t("settings.deleteWorkspace")}
                </button>
              </div>
            )}
          </form>
        )}
      </section>

      {workspace && canManage && <MembersPanel key={workspace.slug} workspace={workspace} />}
      {workspace && canManage && <WidgetKeysPanel key={`widget-${workspace.slug}`} workspace={workspace} />}
    </section>
  );
}
