import { type FormEvent, useId, useState } from "react";
import { useNavigate } from "react-router";
import { useNotices } from "../hooks/use-notices";
import { useWorkspaces } from "../hooks/use-workspaces";
import { useI18n } from "../i18n/i18n";

/**
 * First run. Today one step (create a workspace); the auth work puts "create the admin" before it,
 * which is why the steps are numbered.
 */
export function OnboardingPage() {
  const { t } = useI18n();
  const { create } = useWorkspaces();
  const { showError } = useNotices();
  const navigate = useNavigate();
  const inputId = useId();
  const [name, setName] = useState("");
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    setPending(true);
    try {
      const workspace = await create(name.trim());
      navigate(`/workspaces/${encodeURIComponent(workspace.slug)}/documents`);
    } catch (error) {
      showError(error);
      setPending(false);
    }
  }

  return (
    <section className="page onboarding">
      <h1>{t("onboarding.title")}</h1>
      <p className="muted">{t("onboarding.step", { step: 1, total: 1 })}</p>
      <p>{t("onboarding.intro")}</p>
      <form onSubmit={(event) => void submit(event)} className="stack">
        <label htmlFor={inputId}>{t("onboarding.workspaceName")}</label>
        <input
          id={inputId}
          value={name}
          placeholder={t("onboarding.workspacePlaceholder")}
          required
          onChange={(event) => setName(event.target.value)}
        />
        <button type="submit" className="button primary" disabled={pending || !name.trim()}>
          {pending ? t("workspace.creating") : t("onboarding.create")}
        </button>
      </form>
    </section>
  );
}
