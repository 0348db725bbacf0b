import { useState } from "react";
import type { PullState } from "../../hooks/use-health";
import { useI18n } from "../../i18n/i18n";
import type { Health } from "../../lib/api-types";

/** Props of {@link HealthBanner}. */
export interface HealthBannerProps {
  health: Health | null;
  /** Why the health check itself failed (the server is down). */
  error: string | null;
  pull: PullState | null;
  onPull: (model: string) => void;
  onRetry: () => void;
}

/** Pull progress as a bar with the status line. */
export function PullProgress(props: { pull: PullState }) {
  const { t } = useI18n();
  const { pull } = props;
  if (pull.error) {
    return (
      <p className="inline-error" role="alert">
        {pull.error}
      </p>
    );
  }
  if (pull.finished && !pull.error) return <p role="status">{t("health.pullDone", { model: pull.model })}</p>;
  const label = t("health.pulling", { model: pull.model, status: pull.status || "…" });
  return (
    <div className="pull-progress">
      <progress
        aria-label={label}
        max={pull.total ?? 100}
        {...(pull.total && pull.completed !== undefined ? { value: pull.completed } : {})}
      />
      <span role="status">
        {label}
        {pull.total && pull.completed !== undefined
          ? ` ${Math.round((100 * pull.completed) / pull.total)}%`
          : ""}
      </span>
    </div>
  );
}

/** Warns when Ollama is unreachable or a model is missing, with a button to download the model. */
export function HealthBanner(props: HealthBannerProps) {
  const { t } = useI18n();
  const [dismissed, setDismissed] = useState(false);
  const { health, pull } = props;
  // A reply without `missingModels` comes from a server older than the field: nothing is known to be missing.
  const missing = health?.missingModels ?? [];
  const unreachable = health !== null && !health.ollama.reachable;
  const show = props.error !== null || unreachable || missing.length > 0 || (pull !== null && !pull.finished);
  if (!show || dismissed) return null;

  return (
    <section className="health-banner" aria-label={t("health.region")}>
      {props.error !== null && <p>{t("error.network", { message: props.error })}</p>}
      {unreachable && <p>{t("health.unreachable")}</p>}
      {missing.map((model) => (
        <div key={model} className="missing-model">
          <p>{t("health.modelMissing", { model })}</p>
          {(!pull || pull.model !== model || pull.finished) && (
            <button type="button" className="button primary" onClick={() => props.onPull(model)}>
              {t("health.pull", { model })}
            </button>
          )}
        </div>
      ))}
      {missing.length > 0 && <p className="hint">{t("health.modelMissingHint")}</p>}
      {pull && <PullProgress pull={pull} />}
      <div className="banner-actions">
        <button type="button" className="button" onClick={props.onRetry}>
          {t("health.retry")}
        </button>
        <button type="button" className="button" onClick={() => setDismissed(true)}>
          {t("health.dismiss")}
        </button>
      </div>
    </section>
  );
}
