import { type FormEvent, useCallback, useEffect, useId, useState } from "react";
import { useNotices } from "../../hooks/use-notices";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { toApiError } from "../../lib/api-error";
import type { WidgetKey, Workspace } from "../../lib/api-types";
import { TextField } from "../forms/text-field";

/** The `<script>` tag a site adds to embed the widget of `key`, served by this Zhiku. */
export function embedSnippet(key: string, origin: string): string {
  return `<script src="${origin}/widget.js" data-key="${key}"></script>`;
}

/** Origins typed one per line (or separated by commas or spaces), trailing slashes dropped. */
export function parseOrigins(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((origin) => origin.trim().replace(/\/+$/, ""))
    .filter(Boolean);
}

/**
 * A workspace's chat widget keys (shown to its owners): create one for the sites that may embed the chat, copy its
 * `<script>` tag, revoke it. The server checks every change again.
 */
export function WidgetKeysPanel(props: { workspace: Workspace }) {
  const { t } = useI18n();
  const api = useApi();
  const { showError, showInfo } = useNotices();
  const slug = props.workspace.slug;
  const originsId = useId();
  const [keys, setKeys] = useState<WidgetKey[] | null>(null);
  const [name, setName] = useState("");
  const [origins, setOrigins] = useState("");
  const [rate, setRate] = useState("10");
  const [formError, setFormError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const reload = useCallback(async () => {
    try {
      setKeys(await api.listWidgetKeys(slug));
    } catch (error) {
      showError(error);
      setKeys((current) => current ?? []);
    }
  }, [api, slug, showError]);

  useEffect(() => {
    void reload();
  }, [reload]);

  async function create(event: FormEvent) {
    event.preventDefault();
    const allowedOrigins = parseOrigins(origins);
    if (!name.trim() || allowedOrigins.length === 0) {
      setFormError(t("widget.required"));
      return;
    }
    setPending(true);
    setFormError(null);
    try {
      const created = await api.createWidgetKey(slug, {
        name: name.trim(),
        allowedOrigins,
        requestsPerMinute: Number(rate) || 10,
      });
      setKeys((current) => [created, ...(current ?? [])]);
      setName("");
      setOrigins("");
      showInfo(t("widget.created", { name: created.name }));
    } catch (error) {
      setFormError(localizeError({ error: toApiError(error), t }));
    } finally {
      setPending(false);
    }
  }

  async function revoke(key: WidgetKey) {
    if (!window.confirm(t("widget.revokeConfirm", { name: key.name }))) return;
    try {
      await api.revokeWidgetKey(slug, key.id);
      showInfo(t("widget.revoked", { name: key.name }));
      void reload();
    } catch (error) {
      showError(error);
    }
  }

  const active = keys?.filter((key) => key.revokedAt === null) ?? [];
  return (
    <section id="widget" aria-labelledby="widget-title" className="card members-panel">
      <h2 id="widget-title">{t("widget.title")}</h2>
      <p className="muted">{t("widget.intro")}</p>
      <form className="inline-form" noValidate onSubmit={(event) => void create(event)}>
        <TextField label={t("widget.name")} value={name} onChange={(event) => setName(event.target.value)} />
        <div className="field">
          <label htmlFor={originsId}>{t("widget.origins")}</label>
          <textarea
            id={originsId}
            rows={2}
            placeholder="https://docs.example.com"
            value={origins}
            onChange={(event) => setOrigins(event.target.value)}
          />
        </div>
        <TextField
          label={t("widget.rate")}
          type="number"
          min={1}
          max={1000}
          value={rate}
          onChange={(event) => setRate(event.target.value)}
        />
        <button type="submit" className="button primary" disabled={pending}>
          {t("widget.create")}
        </button>
      </form>
      {formError && (
        <p className="field-error" role="alert">
          {formError}
        </p>
      )}
      {keys === null && <p className="muted">{t("app.loading")}</p>}
      {keys !== null && active.length === 0 && <p className="muted">{t("widget.empty")}</p>}
      {active.length > 0 && (
        <table className="data-table">
          <caption className="visually-hidden">
            {t("widget.list", { workspace: props.workspace.name })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t("widget.name")}</th>
              <th scope="col">{t("widget.origins")}</th>
              <th scope="col">{t("widget.snippet")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("users.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {active.map((key) => (
              <tr key={key.id}>
                <td>
                  {key.name}
                  <div className="muted">{t("widget.rateShown", { rate: key.requestsPerMinute })}</div>
                </td>
                <td>{key.allowedOrigins.join(", ")}</td>
                <td>
                  <code className="widget-snippet">{embedSnippet(key.key, window.location.origin)}</code>
                </td>
                <td>
                  <button
                    type="button"
                    className="button danger"
                    aria-label={t("widget.revokeLabel", { name: key.name })}
                    onClick={() => void revoke(key)}
                  >
                    {t("widget.revoke")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
