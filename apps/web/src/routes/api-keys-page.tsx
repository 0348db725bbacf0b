import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { RevealKeyDialog } from "../components/api-keys/reveal-key-dialog";
import { TextField } from "../components/forms/text-field";
import { useNotices } from "../hooks/use-notices";
import { useWorkspaces } from "../hooks/use-workspaces";
import { localizeError } from "../i18n/error-messages";
import { useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import { toApiError } from "../lib/api-error";
import type { ApiKey } from "../lib/api-types";
import { formatTime } from "../lib/format-time";

/**
 * `/settings/api-keys`: the user's API keys (name, workspace, first characters, created, last used),
 * create one (shown once in a dialog), revoke one.
 */
export function ApiKeysPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const { showError, showInfo } = useNotices();
  const { workspaces } = useWorkspaces();
  const workspaceId = useId();
  const nameRef = useRef<HTMLInputElement>(null);
  const openerRef = useRef<HTMLButtonElement>(null);
  const [keys, setKeys] = useState<ApiKey[] | null>(null);
  const [name, setName] = useState("");
  const [workspace, setWorkspace] = useState("");
  const [nameError, setNameError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const [created, setCreated] = useState<{ name: string; secret: string } | null>(null);

  const reload = useCallback(async () => {
    try {
      setKeys(await api.listApiKeys());
    } catch (error) {
      showError(error);
      setKeys((current) => current ?? []);
    }
  }, [api, showError]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function create(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setNameError(t("apiKeys.nameRequired"));
      nameRef.current?.focus();
      return;
    }
    setPending(true);
    setNameError(null);
    try {
      const result = await api.createApiKey({ name: name.trim(), ...(workspace ? { workspace } : {}) });
      setKeys((current) => [result.apiKey, ...(current ?? [])]);
      setCreated({ name: result.apiKey.name, secret: result.key });
      setName("");
    } catch (error) {
      setNameError(localizeError({ error: toApiError(error), t }));
      nameRef.current?.focus();
    } finally {
      setPending(false);
    }
  }

  async function revoke(key: ApiKey) {
    if (!window.confirm(t("apiKeys.revokeConfirm", { name: key.name }))) return;
    try {
      await api.revokeApiKey(key.id);
      setKeys((current) => (current ?? []).filter((item) => item.id !== key.id));
      showInfo(t("apiKeys.revoked", { name: key.name }));
    } catch (error) {
      showError(error);
    }
  }

  function closeDialog() {
    setCreated(null);
    openerRef.current?.focus();
  }

  const workspaceName = (slug: string | null) =>
    slug === null
      ? t("apiKeys.allWorkspaces")
      : (workspaces?.find((item) => item.slug === slug)?.name ?? slug);

  return (
    <section className="api-keys-page" aria-labelledby="api-keys-title">
      <h1 id="api-keys-title">{t("apiKeys.title")}</h1>
      <p className="muted">{t("apiKeys.intro")}</p>

      <section className="card" aria-labelledby="api-keys-create-title">
        <h2 id="api-keys-create-title">{t("apiKeys.create")}</h2>
        <form className="inline-form" noValidate onSubmit={(event) => void create(event)}>
          <TextField
            label={t("apiKeys.name")}
            placeholder={t("apiKeys.namePlaceholder")}
            value={name}
            maxLength={100}
            error={nameError}
            inputRef={nameRef}
            onChange={(event) => setName(event.target.value)}
          />
          <div className="field">
            <label htmlFor={workspaceId}>{t("apiKeys.scope")}</label>
            <select id={workspaceId} value={workspace} onChange={(event) => setWorkspace(event.target.value)}>
              <option value="">{t("apiKeys.allWorkspaces")}</option>
              {workspaces?.map((item) => (
                <option key={item.slug} value={item.slug}>
                  {item.name}
                </option>
              ))}
            </select>
          </div>
          <button ref={openerRef} type="submit" className="button primary" disabled={pending}>
            {t("apiKeys.submit")}
          </button>
        </form>
      </section>

      <section className="card" aria-labelledby="api-keys-list-title">
        <h2 id="api-keys-list-title">{t("apiKeys.list")}</h2>
        {keys === null && <p className="muted">{t("app.loading")}</p>}
        {keys?.length === 0 && <p className="muted">{t("apiKeys.empty")}</p>}
        {keys && keys.length > 0 && (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t("apiKeys.name")}</th>
                  <th scope="col">{t("apiKeys.workspace")}</th>
                  <th scope="col">{t("apiKeys.prefix")}</th>
                  <th scope="col">{t("apiKeys.created")}</th>
                  <th scope="col">{t("apiKeys.lastUsed")}</th>
                  <th scope="col">
                    <span className="visually-hidden">{t("users.actions")}</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {keys.map((key) => (
                  <tr key={key.id}>
                    <td>{key.name}</td>
                    <td>{workspaceName(key.workspace)}</td>
                    <td>
                      <code>{key.prefix}…</code>
                    </td>
                    <td>{formatTime(key.createdAt, locale)}</td>
                    <td>{key.lastUsedAt ? formatTime(key.lastUsedAt, locale) : t("apiKeys.never")}</td>
                    <td>
                      <button
                        type="button"
                        className="button danger"
                        aria-label={t("apiKeys.revokeLabel", { name: key.name })}
                        onClick={() => void revoke(key)}
                      >
                        {t("apiKeys.revoke")}
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      {created && <RevealKeyDialog name={created.name} secret={created.secret} onClose={closeDialog} />}
    </section>
  );
}
