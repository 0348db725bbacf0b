import { type FormEvent, useId, useState } from "react";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { toApiError } from "../../lib/api-error";
import type { BotPlatform, ChatMode, Integration, NewIntegration } from "../../lib/api-types";
import { TextField } from "../forms/text-field";
import { type PlatformField, platformForms, platformOrder } from "./platform-fields";

/** Props of {@link IntegrationForm}. */
export interface IntegrationFormProps {
  /** The workspace the bot answers from. */
  workspaceSlug: string;
  /** The bot to change; absent, the form connects a new one. */
  existing?: Integration | undefined;
  /** Called with the bot as the server answered (secrets masked). */
  onSaved: (integration: Integration) => void;
  /** Shows a Cancel button that calls this (editing). */
  onCancel?: (() => void) | undefined;
}

/** The value typed into one field, keyed `settings.name` or `secrets.name`. */
type Values = Record<string, string>;

const key = (group: "settings" | "secrets", name: string) => `${group}.${name}`;

function initialValues(existing: Integration | undefined): Values {
  if (!existing) return {};
  // Settings are shown back in full; secrets never: an empty secret field keeps the stored one.
  return Object.fromEntries(
    Object.entries(existing.settings).map(([name, value]) => [key("settings", name), value]),
  );
}

/** The non-empty values of one group, trimmed. */
function filled(values: Values, group: "settings" | "secrets", fields: PlatformField[]) {
  const entries = fields
    .map((field) => [field.name, (values[key(group, field.name)] ?? "").trim()] as const)
    .filter(([, value]) => value.length > 0);
  return Object.fromEntries(entries);
}

/**
 * Connects a chat bot to a workspace, or changes one: the platform's own credential fields (named as its console
 * names them, with where to find each), the bot's name and answer mode. Secrets are typed into password fields and
 * never shown again; editing, a secret left empty keeps the stored one. The server checks every field again and its
 * error, naming the field, is shown above the button.
 */
export function IntegrationForm(props: IntegrationFormProps) {
  const { t } = useI18n();
  const api = useApi();
  const { existing } = props;
  const ids = { platform: useId(), mode: useId(), error: useId() };
  const [platform, setPlatform] = useState<BotPlatform>(existing?.platform ?? "slack");
  const [name, setName] = useState(existing?.name ?? "");
  const [mode, setMode] = useState<ChatMode>(existing?.mode ?? "query");
  const [values, setValues] = useState<Values>(() => initialValues(existing));
  const [error, setError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);
  const form = platformForms[platform] as {
    label: (typeof platformForms)[BotPlatform]["label"];
    settings: PlatformField[];
    secrets: PlatformField[];
  };

  const missing = [
    ...(name.trim() ? [] : [t("integrations.name")]),
    ...form.settings
      .filter((field) => field.required && !(values[key("settings", field.name)] ?? "").trim())
      .map((field) => t(field.label)),
    // Editing, an empty secret keeps the stored one, so none is required then.
    ...(existing
      ? []
      : form.secrets
          .filter((field) => field.required && !(values[key("secrets", field.name)] ?? "").trim())
          .map((field) => t(field.label))),
  ];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (missing.length > 0) {
      setError(t("integrations.missing", { fields: missing.join(", ") }));
      return;
    }
    setPending(true);
    setError(null);
    const settings = filled(values, "settings", form.settings);
    const secrets = filled(values, "secrets", form.secrets);
    try {
      const saved = existing
        ? await api.updateIntegration(props.workspaceSlug, existing.id, {
            name: name.trim(),
            mode,
            settings,
            ...(Object.keys(secrets).length > 0 ? { secrets } : {}),
          })
        : await api.createIntegration(props.workspaceSlug, {
            platform,
            name: name.trim(),
            mode,
            settings,
            secrets,
            // The fields come from the platform's form, which is typed against this body per platform.
          } as NewIntegration);
      if (!existing) {
        setName("");
        setValues({});
      }
      props.onSaved(saved);
    } catch (caught) {
      setError(localizeError({ error: toApiError(caught), t }));
    } finally {
      setPending(false);
    }
  }

  const input = (group: "settings" | "secrets", field: PlatformField) => {
    const stored = group === "secrets" ? existing?.secrets[field.name] : undefined;
    return (
      <TextField
        key={key(group, field.name)}
        label={field.required ? t(field.label) : t("integrations.optional", { label: t(field.label) })}
        hint={stored ? t("integrations.keepSecret", { masked: stored }) : t(field.hint)}
        type={group === "secrets" ? "password" : field.name === "apiBaseUrl" ? "url" : "text"}
        autoComplete={group === "secrets" ? "new-password" : "off"}
        spellCheck={false}
        value={values[key(group, field.name)] ?? ""}
        onChange={(event) => {
          const value = event.target.value;
          setValues((current) => ({ ...current, [key(group, field.name)]: value }));
        }}
      />
    );
  };

  return (
    <form
      className="stack integration-form"
      noValidate
      aria-describedby={error ? ids.error : undefined}
      onSubmit={(event) => void submit(event)}
    >
      {existing ? (
        <p className="muted">{t(form.label)}</p>
      ) : (
        <div className="field">
          <label htmlFor={ids.platform}>{t("integrations.platform")}</label>
          <select
            id={ids.platform}
            value={platform}
            onChange={(event) => {
              setPlatform(event.target.value as BotPlatform);
              setValues({});
              setError(null);
            }}
          >
            {platformOrder.map((item) => (
              <option key={item} value={item}>
                {t(platformForms[item].label)}
              </option>
            ))}
          </select>
        </div>
      )}
      <TextField
        label={t("integrations.name")}
        hint={t("integrations.nameHint")}
        value={name}
        onChange={(event) => setName(event.target.value)}
      />
      <div className="field">
        <label htmlFor={ids.mode}>{t("integrations.mode")}</label>
        <select id={ids.mode} value={mode} onChange={(event) => setMode(event.target.value as ChatMode)}>
          <option value="query">{t("integrations.modeQuery")}</option>
          <option value="chat">{t("integrations.modeChat")}</option>
        </select>
      </div>
      {form.settings.filter((field) => field.required).map((field) => input("settings", field))}
      {form.secrets.map((field) => input("secrets", field))}
      {form.settings.filter((field) => !field.required).map((field) => input("settings", field))}
      {error && (
        <p id={ids.error} className="field-error" role="alert">
          {error}
        </p>
      )}
      <div className="row">
        <button type="submit" className="button primary" disabled={pending}>
          {existing ? t("integrations.save") : t("integrations.connect")}
        </button>
        {props.onCancel && (
          <button type="button" className="button" onClick={props.onCancel}>
            {t("integrations.cancel")}
          </button>
        )}
      </div>
    </form>
  );
}
