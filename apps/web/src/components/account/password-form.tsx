import { type FormEvent, useRef, useState } from "react";
import { useNotices } from "../../hooks/use-notices";
import { useSession } from "../../hooks/use-session";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { toApiError } from "../../lib/api-error";
import { TextField } from "../forms/text-field";
import { minimumPasswordLength } from "./password-policy";
import { formatWait } from "./wait-time";

interface PasswordErrors {
  current?: string;
  next?: string;
  confirm?: string;
}

/** The signed-in user's account: who they are, and a form to change the password (other sessions end). */
export function PasswordForm() {
  const { t } = useI18n();
  const api = useApi();
  const { user } = useSession();
  const { showInfo } = useNotices();
  const refs = {
    current: useRef<HTMLInputElement>(null),
    next: useRef<HTMLInputElement>(null),
    confirm: useRef<HTMLInputElement>(null),
  };
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<PasswordErrors>({});
  const [pending, setPending] = useState(false);

  if (!user) return null;

  function fail(found: PasswordErrors) {
    setErrors(found);
    const first = (["current", "next", "confirm"] as const).find((key) => found[key]);
    if (first) refs[first].current?.focus();
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!current) return fail({ current: t("auth.passwordRequired") });
    if (next.length < minimumPasswordLength) {
      return fail({ next: t("setup.passwordTooShort", { min: minimumPasswordLength }) });
    }
    if (confirm !== next) return fail({ confirm: t("setup.passwordMismatch") });
    setPending(true);
    setErrors({});
    try {
      await api.changePassword({ currentPassword: current, newPassword: next });
      setCurrent("");
      setNext("");
      setConfirm("");
      showInfo(t("password.changed"));
    } catch (error) {
      const apiError = toApiError(error);
      // A wrong current password (or too many of them) is about that field; anything else about the new one.
      if (apiError.code === "invalid:currentPassword") fail({ current: t("password.wrongCurrent") });
      else if (apiError.status === 429) {
        fail({
          current:
            apiError.retryAfterSeconds === null
              ? t("auth.tooManyAttemptsLater")
              : t("auth.tooManyAttempts", { wait: formatWait(apiError.retryAfterSeconds, t) }),
        });
      } else fail({ next: localizeError({ error: apiError, t }) });
    } finally {
      setPending(false);
    }
  }

  return (
    <section aria-labelledby="account-title" className="card">
      <h2 id="account-title">{t("password.title")}</h2>
      <p>{t("password.who", { email: user.email, role: t(`role.${user.role}`) })}</p>
      <form className="stack" noValidate onSubmit={(event) => void submit(event)}>
        <TextField
          label={t("password.current")}
          type="password"
          autoComplete="current-password"
          value={current}
          error={errors.current}
          inputRef={refs.current}
          onChange={(event) => setCurrent(event.target.value)}
        />
        <TextField
          label={t("password.new")}
          type="password"
          autoComplete="new-password"
          hint={t("setup.passwordHint", { min: minimumPasswordLength })}
          value={next}
          error={errors.next}
          inputRef={refs.next}
          onChange={(event) => setNext(event.target.value)}
        />
        <TextField
          label={t("password.confirm")}
          type="password"
          autoComplete="new-password"
          value={confirm}
          error={errors.confirm}
          inputRef={refs.confirm}
          onChange={(event) => setConfirm(event.target.value)}
        />
        <div className="row">
          <button type="submit" className="button" disabled={pending}>
            {t("password.change")}
          </button>
        </div>
      </form>
    </section>
  );
}
