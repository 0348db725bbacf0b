import { useState } from "react";
import { useI18n } from "../../i18n/i18n";
import type { Integration } from "../../lib/api-types";
import { formatTime } from "../../lib/format-time";
import { platformForms } from "./platform-fields";

/**
 * The callback URL to paste into the platform's console. The server gives a full URL when `PUBLIC_URL` is set, else
 * only a path, which is completed with the address this page was opened at.
 */
function fullCallbackUrl(callbackUrl: string, origin: string): string {
  return callbackUrl.startsWith("/") ? `${origin}${callbackUrl}` : callbackUrl;
}

/** Props of {@link IntegrationCard}. */
export interface IntegrationCardProps {
  integration: Integration;
  onEdit: () => void;
  onToggle: () => void;
  onDelete: () => void;
}

/**
 * One connected bot: its platform, name and mode, whether it is on, the callback URL with a copy button and where
 * it goes in the platform's console, its settings, its secrets masked as the server sends them, and when it last
 * answered or why it last failed.
 */
export function IntegrationCard(props: IntegrationCardProps) {
  const { t, locale } = useI18n();
  const { integration } = props;
  const form = platformForms[integration.platform];
  const callbackUrl = fullCallbackUrl(integration.callbackUrl, window.location.origin);
  const [copied, setCopied] = useState(false);
  const labelOf = (name: string) => {
    const field = [...form.settings, ...form.secrets].find((item) => item.name === name);
    return field ? t(field.label) : name;
  };

  async function copy() {
    await navigator.clipboard?.writeText(callbackUrl);
    setCopied(true);
  }

  return (
    <article className="card integration-card" aria-labelledby={`integration-${integration.id}`}>
      <header className="row integration-header">
        <h3 id={`integration-${integration.id}`}>{integration.name}</h3>
        <span className="chip">{t(form.label)}</span>
        <span className={integration.enabled ? "chip" : "chip integration-off"}>
          {integration.enabled ? t("integrations.on") : t("integrations.off")}
        </span>
        <span className="muted">
          {integration.mode === "query" ? t("integrations.modeQuery") : t("integrations.modeChat")}
        </span>
      </header>
      <div className="field">
        <span>{t("integrations.callbackUrl")}</span>
        <div className="row">
          <code className="widget-snippet">{callbackUrl}</code>
          <button
            type="button"
            className="button"
            aria-label={t("integrations.copyLabel", { name: integration.name })}
            onClick={() => void copy()}
          >
            {copied ? t("integrations.copied") : t("integrations.copy")}
          </button>
        </div>
        <p className="muted hint">{t(form.callbackHint)}</p>
        {integration.callbackUrl.startsWith("/") && (
          <p className="muted hint">{t("integrations.noPublicUrl")}</p>
        )}
      </div>
      <dl className="integration-fields">
        {Object.entries(integration.settings).map(([name, value]) => (
          <div key={`settings.${name}`}>
            <dt>{labelOf(name)}</dt>
            <dd>{value}</dd>
          </div>
        ))}
        {Object.entries(integration.secrets).map(([name, masked]) => (
          <div key={`secrets.${name}`}>
            <dt>{labelOf(name)}</dt>
            <dd>
              <code>{masked}</code>
            </dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        {integration.lastActivityAt
          ? t("integrations.lastActivity", { at: formatTime(integration.lastActivityAt, locale) })
          : t("integrations.noActivity")}
      </p>
      {integration.lastError && (
        <p className="inline-error">{t("integrations.lastError", { message: integration.lastError })}</p>
      )}
      <div className="row">
        <button type="button" className="button" onClick={props.onEdit}>
          {t("integrations.edit")}
        </button>
        <button type="button" className="button" onClick={props.onToggle}>
          {integration.enabled ? t("integrations.switchOff") : t("integrations.switchOn")}
        </button>
        <button
          type="button"
          className="button danger"
          aria-label={t("integrations.deleteLabel", { name: integration.name })}
          onClick={props.onDelete}
        >
          {t("integrations.delete")}
        </button>
      </div>
    </article>
  );
}
