import { type FormEvent, useId, useState } from "react";
import { useNavigate } from "react-router";
import { useNotices } from "../hooks/use-notices";
import { useSession } from "../hooks/use-session";
import { useWorkspaces } from "../hooks/use-workspaces";
import { useI18n } from "../i18n/i18n";

/**
 * First workspace. On a fresh install this is step 2, after the admin was created (see SetupPage); for a
 * user without any workspace (a member nobody shared one with yet) it is the only step.
 */
export function OnboardingPage() {
  const { t } = useI18n();
  const { create } = useWorkspaces();
  const { showError } = useNotices();
  const session = useSession();
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
      <p className="muted">
        {session.setupDone
          ? t("onboarding.step", { step: 2, total: 2 })
          : t("onboarding.step", { step: 1, total: 1 })}
      </p>
      {session.user?.role === "member" && <p>{t("onboarding.noShared")}</p>}
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
