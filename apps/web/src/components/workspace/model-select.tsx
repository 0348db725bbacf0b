import { useModels } from "../../hooks/use-models";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";

/** Props of {@link ModelSelect}. */
export interface ModelSelectProps {
  /** The select's id, for its label. */
  id: string;
  /** Id of the hint that describes the select. */
  describedBy: string;
  /** The chosen model's name; "" for the server's default. */
  value: string;
  onChange: (value: string) => void;
  /** The server's default chat model (`CHAT_MODEL`), when known. */
  defaultModel?: string | undefined;
}

/** Ollama lists an untagged name with `:latest`; a setting may name it either way. */
function sameModel(installed: string, chosen: string): boolean {
  return installed === chosen || installed === `${chosen}:latest`;
}

/**
 * A drop-down of the models installed in Ollama, to choose a workspace's chat model from instead of typing a name.
 * The first choice is the server's default; a chosen model that is not installed stays listed and says so. While
 * Ollama cannot be reached it says that, keeps the current choice, and offers to look again.
 */
export function ModelSelect(props: ModelSelectProps) {
  const { t } = useI18n();
  const { models, error, loading, refresh } = useModels();
  const installed = models?.find((model) => sameModel(model.name, props.value));
  const selected = installed?.name ?? props.value;
  const unreachable = error?.code === "unavailable:ollama";

  return (
    <>
      <select
        id={props.id}
        aria-describedby={props.describedBy}
        value={selected}
        onChange={(event) => props.onChange(event.target.value)}
      >
        <option value="">
          {props.defaultModel
            ? t("settings.chatModelDefault", { model: props.defaultModel })
            : t("settings.chatModelDefaultUnknown")}
        </option>
        {models?.map((model) => (
          <option key={model.name} value={model.name}>
            {model.parameterSize ? `${model.name} · ${model.parameterSize}` : model.name}
          </option>
        ))}
        {props.value && !installed && (
          <option value={props.value}>
            {models ? t("settings.chatModelNotInstalled", { model: props.value }) : props.value}
          </option>
        )}
      </select>
      {loading && <p className="muted hint">{t("app.loading")}</p>}
      {!loading && models?.length === 0 && <p className="muted hint">{t("settings.modelsEmpty")}</p>}
      {!loading && error && (
        <div className="row" role="status">
          <p className="inline-error">
            {unreachable ? t("settings.modelsUnreachable") : localizeError({ error, t })}
          </p>
          <button type="button" className="button" onClick={() => void refresh()}>
            {t("health.retry")}
          </button>
        </div>
      )}
    </>
  );
}
