import { type FormEvent, useId, useRef, useState } from "react";
import { minimumPasswordLength } from "../components/account/password-policy";
import { TextField } from "../components/forms/text-field";
import { useSession } from "../hooks/use-session";
import { localizeError } from "../i18n/error-messages";
import { useI18n } from "../i18n/i18n";
import { toApiError } from "../lib/api-error";
import { PublicLayout } from "./public-layout";

interface SetupErrors {
  email?: string;
  password?: string;
  confirm?: string;
  form?: string;
}

/**
 * First run, step 1 of 2 (at /welcome while the install has no accounts): create the administrator.
 * Once created the user is signed in and onboarding continues with the first workspace.
 */
export function SetupPage() {
  const { t } = useI18n();
  const session = useSession();
  const formErrorId = useId();
  const refs = {
    email: useRef<HTMLInputElement>(null),
    password: useRef<HTMLInputElement>(null),
    confirm: useRef<HTMLInputElement>(null),
  };
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const [errors, setErrors] = useState<SetupErrors>({});
  const [pending, setPending] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: SetupErrors = {};
    if (!email.trim()) found.email = t("auth.emailRequired");
    if (password.length < minimumPasswordLength) {
      found.password = t("setup.passwordTooShort", { min: minimumPasswordLength });
    } else if (confirm !== password) found.confirm = t("setup.passwordMismatch");
    const first = (["email", "password", "confirm"] as const).find((key) => found[key]);
    if (first) {
      setErrors(found);
      refs[first].current?.focus();
      return;
    }
    setPending(true);
    setErrors({});
    try {
      await session.setup({ email: email.trim(), password });
    } catch (error) {
      const apiError = toApiError(error);
      if (apiError.code === "conflict:setup") {
        // Someone else created the admin meanwhile: the session turns into "signed out" and login follows.
        await session.refresh();
        return;
      }
      setErrors({ form: localizeError({ error: apiError, t }) });
      setPending(false);
      refs.email.current?.focus();
    }
  }

  return (
    <PublicLayout>
      <section className="page onboarding" aria-labelledby="setup-title">
        <h1 id="setup-title">{t("onboarding.title")}</h1>
        <p className="muted">{t("onboarding.step", { step: 1, total: 2 })}</p>
        <p>{t("setup.intro")}</p>
        <form className="stack" noValidate onSubmit={(event) => void submit(event)}>
          {errors.form && (
            <p id={formErrorId} className="form-error" role="alert">
              {errors.form}
            </p>
          )}
          <TextField
            label={t("auth.email")}
            type="email"
            autoComplete="username"
            required
            value={email}
            error={errors.email}
            describedBy={errors.form ? formErrorId : undefined}
            inputRef={refs.email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <TextField
            label={t("auth.password")}
            type="password"
            autoComplete="new-password"
            required
            minLength={minimumPasswordLength}
            hint={t("setup.passwordHint", { min: minimumPasswordLength })}
            value={password}
            error={errors.password}
            inputRef={refs.password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <TextField
            label={t("setup.confirmPassword")}
            type="password"
            autoComplete="new-password"
            required
            value={confirm}
            error={errors.confirm}
            inputRef={refs.confirm}
            onChange={(event) => setConfirm(event.target.value)}
          />
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? t("setup.creating") : t("setup.create")}
          </button>
        </form>
      </section>
    </PublicLayout>
  );
}
