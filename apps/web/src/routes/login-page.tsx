import { type FormEvent, useId, useRef, useState } from "react";
import { Navigate, useLocation } from "react-router";
import { formatWait } from "../components/account/wait-time";
import { TextField } from "../components/forms/text-field";
import { returnPath, useSession, welcomePath } from "../hooks/use-session";
import { localizeError } from "../i18n/error-messages";
import { useI18n } from "../i18n/i18n";
import { toApiError } from "../lib/api-error";
import { PublicLayout } from "./public-layout";

/** Field errors of the login form. */
interface LoginErrors {
  email?: string;
  password?: string;
  /** About the attempt as a whole: wrong credentials, throttled, server down. */
  form?: string;
}

/**
 * `/login`: email and password. Wrong credentials and throttling (429, with the wait) are shown above the
 * fields and tied to the password field, which gets focus; afterwards the user returns to the page asked for.
 */
export function LoginPage() {
  const { t } = useI18n();
  const session = useSession();
  const location = useLocation();
  const formErrorId = useId();
  const emailRef = useRef<HTMLInputElement>(null);
  const passwordRef = useRef<HTMLInputElement>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [errors, setErrors] = useState<LoginErrors>({});
  const [pending, setPending] = useState(false);

  if (session.status === "signed-in") return <Navigate to={returnPath(location.state)} replace />;
  if (session.status === "needs-setup") return <Navigate to={welcomePath} replace />;

  async function submit(event: FormEvent) {
    event.preventDefault();
    const missing: LoginErrors = {};
    if (!email.trim()) missing.email = t("auth.emailRequired");
    if (!password) missing.password = t("auth.passwordRequired");
    if (missing.email || missing.password) {
      setErrors(missing);
      (missing.email ? emailRef : passwordRef).current?.focus();
      return;
    }
    setPending(true);
    setErrors({});
    try {
      await session.login({ email: email.trim(), password });
    } catch (error) {
      const apiError = toApiError(error);
      let message: string;
      if (apiError.status === 429) {
        message =
          apiError.retryAfterSeconds === null
            ? t("auth.tooManyAttemptsLater")
            : t("auth.tooManyAttempts", { wait: formatWait(apiError.retryAfterSeconds, t) });
      } else if (apiError.status === 401) {
        message = t("auth.invalidCredentials");
      } else if (apiError.code === "network") {
        message = t("error.network", { message: apiError.message });
      } else {
        message = localizeError({ error: apiError, t });
      }
      setErrors({ form: message });
      setPending(false);
      passwordRef.current?.focus();
      passwordRef.current?.select();
    }
  }

  return (
    <PublicLayout>
      <section className="page auth-page" aria-labelledby="login-title">
        <h1 id="login-title">{t("auth.loginTitle")}</h1>
        {session.ended && (
          <p className="notice notice-info" role="status">
            {t("auth.sessionEnded")}
          </p>
        )}
        <p className="muted">{t("auth.loginIntro")}</p>
        <form className="stack card" noValidate onSubmit={(event) => void submit(event)}>
          {errors.form && (
            <p id={formErrorId} className="form-error" role="alert">
              {errors.form}
            </p>
          )}
          <TextField
            label={t("auth.email")}
            type="email"
            name="email"
            autoComplete="username"
            inputMode="email"
            required
            value={email}
            error={errors.email}
            inputRef={emailRef}
            onChange={(event) => setEmail(event.target.value)}
          />
          <TextField
            label={t("auth.password")}
            type="password"
            name="password"
            autoComplete="current-password"
            required
            value={password}
            error={errors.password}
            describedBy={errors.form ? formErrorId : undefined}
            inputRef={passwordRef}
            onChange={(event) => setPassword(event.target.value)}
          />
          <button type="submit" className="button primary" disabled={pending}>
            {pending ? t("auth.signingIn") : t("auth.signIn")}
          </button>
        </form>
      </section>
    </PublicLayout>
  );
}
