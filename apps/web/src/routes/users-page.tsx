import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { minimumPasswordLength } from "../components/account/password-policy";
import { TextField } from "../components/forms/text-field";
import { useNotices } from "../hooks/use-notices";
import { useSession } from "../hooks/use-session";
import { localizeError } from "../i18n/error-messages";
import { useI18n } from "../i18n/i18n";
import { useApi } from "../lib/api-context";
import { toApiError } from "../lib/api-error";
import type { User, UserRole } from "../lib/api-types";
import { formatTime } from "../lib/format-time";

const userRoles: readonly UserRole[] = ["member", "admin"];

interface NewUserErrors {
  email?: string;
  password?: string;
}

/** An admin setting a new password for one user, inline in that user's row. */
function ResetPasswordForm(props: { user: User; onDone: () => void }) {
  const { t } = useI18n();
  const api = useApi();
  const { showInfo } = useNotices();
  const inputRef = useRef<HTMLInputElement>(null);
  const [password, setPassword] = useState("");
  const [error, setError] = useState<string | null>(null);

  useEffect(() => inputRef.current?.focus(), []);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (password.length < minimumPasswordLength) {
      setError(t("setup.passwordTooShort", { min: minimumPasswordLength }));
      inputRef.current?.focus();
      return;
    }
    try {
      await api.updateUser(props.user.id, { password });
      showInfo(t("users.resetDone", { email: props.user.email }));
      props.onDone();
    } catch (caught) {
      setError(localizeError({ error: toApiError(caught), t }));
      inputRef.current?.focus();
    }
  }

  return (
    <form className="inline-form" noValidate onSubmit={(event) => void submit(event)}>
      <TextField
        label={t("users.newPasswordFor", { email: props.user.email })}
        type="password"
        autoComplete="new-password"
        value={password}
        error={error}
        inputRef={inputRef}
        onChange={(event) => setPassword(event.target.value)}
      />
      <button type="submit" className="button primary">
        {t("users.resetSave")}
      </button>
      <button type="button" className="button" onClick={props.onDone}>
        {t("users.cancel")}
      </button>
    </form>
  );
}

/** `/settings/users` (administrators): list users, add one, change a role, reset a password, delete. */
export function UsersPage() {
  const { t, locale } = useI18n();
  const api = useApi();
  const session = useSession();
  const { showError, showInfo } = useNotices();
  const roleId = useId();
  const refs = { email: useRef<HTMLInputElement>(null), password: useRef<HTMLInputElement>(null) };
  const [users, setUsers] = useState<User[] | null>(null);
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [role, setRole] = useState<UserRole>("member");
  const [errors, setErrors] = useState<NewUserErrors>({});
  const [pending, setPending] = useState(false);
  const [resetting, setResetting] = useState<string | null>(null);
  const isAdmin = session.user?.role === "admin";

  const reload = useCallback(async () => {
    try {
      setUsers(await api.listUsers());
    } catch (error) {
      showError(error);
      setUsers((current) => current ?? []);
    }
  }, [api, showError]);

  useEffect(() => {
    if (isAdmin) void reload();
  }, [isAdmin, reload]);

  if (!isAdmin) {
    return (
      <section aria-labelledby="users-title">
        <h1 id="users-title">{t("users.title")}</h1>
        <p>{t("users.adminOnly")}</p>
      </section>
    );
  }

  async function create(event: FormEvent) {
    event.preventDefault();
    const found: NewUserErrors = {};
    if (!email.trim()) found.email = t("auth.emailRequired");
    if (password.length < minimumPasswordLength) {
      found.password = t("setup.passwordTooShort", { min: minimumPasswordLength });
    }
    if (found.email || found.password) {
      setErrors(found);
      (found.email ? refs.email : refs.password).current?.focus();
      return;
    }
    setPending(true);
    setErrors({});
    try {
      const user = await api.createUser({ email: email.trim(), password, role });
      setUsers((current) => [...(current ?? []), user]);
      setEmail("");
      setPassword("");
      setRole("member");
      showInfo(t("users.added", { email: user.email }));
    } catch (error) {
      const apiError = toApiError(error);
      setErrors({
        email: apiError.code === "conflict:user" ? t("users.exists") : localizeError({ error: apiError, t }),
      });
      refs.email.current?.focus();
    } finally {
      setPending(false);
    }
  }

  async function changeRole(user: User, next: UserRole) {
    try {
      const updated = await api.updateUser(user.id, { role: next });
      setUsers((current) => (current ?? []).map((item) => (item.id === user.id ? updated : item)));
      showInfo(t("users.roleChanged", { email: user.email, role: t(`role.${next}`) }));
    } catch (error) {
      showError(error);
      void reload();
    }
  }

  async function remove(user: User) {
    if (!window.confirm(t("users.deleteConfirm", { email: user.email }))) return;
    try {
      await api.deleteUser(user.id);
      setUsers((current) => (current ?? []).filter((item) => item.id !== user.id));
      showInfo(t("users.deleted", { email: user.email }));
    } catch (error) {
      showError(error);
    }
  }

  return (
    <section className="users-page" aria-labelledby="users-title">
      <h1 id="users-title">{t("users.title")}</h1>

      <section className="card" aria-labelledby="users-create-title">
        <h2 id="users-create-title">{t("users.create")}</h2>
        <form className="inline-form" noValidate onSubmit={(event) => void create(event)}>
          <TextField
            label={t("auth.email")}
            type="email"
            autoComplete="off"
            value={email}
            error={errors.email}
            inputRef={refs.email}
            onChange={(event) => setEmail(event.target.value)}
          />
          <TextField
            label={t("auth.password")}
            type="password"
            autoComplete="new-password"
            hint={t("setup.passwordHint", { min: minimumPasswordLength })}
            value={password}
            error={errors.password}
            inputRef={refs.password}
            onChange={(event) => setPassword(event.target.value)}
          />
          <div className="field">
            <label htmlFor={roleId}>{t("role.label")}</label>
            <select id={roleId} value={role} onChange={(event) => setRole(event.target.value as UserRole)}>
              {userRoles.map((value) => (
                <option key={value} value={value}>
                  {t(`role.${value}`)}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="button primary" disabled={pending}>
            {t("users.add")}
          </button>
        </form>
      </section>

      <section className="card" aria-labelledby="users-list-title">
        <h2 id="users-list-title">{t("users.list")}</h2>
        {users === null && <p className="muted">{t("app.loading")}</p>}
        {users && users.length > 0 && (
          <div className="table-scroll">
            <table className="data-table">
              <thead>
                <tr>
                  <th scope="col">{t("users.email")}</th>
                  <th scope="col">{t("role.label")}</th>
                  <th scope="col">{t("users.created")}</th>
                  <th scope="col">{t("users.actions")}</th>
                </tr>
              </thead>
              <tbody>
                {users.map((user) => {
                  const isSelf = user.id === session.user?.id;
                  return (
                    <tr key={user.id}>
                      <td>
                        {user.email} {isSelf && <span className="muted">{t("users.you")}</span>}
                      </td>
                      <td>
                        <select
                          aria-label={t("users.roleOf", { email: user.email })}
                          value={user.role}
                          disabled={isSelf}
                          onChange={(event) => void changeRole(user, event.target.value as UserRole)}
                        >
                          {userRoles.map((value) => (
                            <option key={value} value={value}>
                              {t(`role.${value}`)}
                            </option>
                          ))}
                        </select>
                      </td>
                      <td>{formatTime(user.createdAt, locale)}</td>
                      <td>
                        {resetting === user.id ? (
                          <ResetPasswordForm user={user} onDone={() => setResetting(null)} />
                        ) : (
                          // Your own password is changed under Settings, with the current one.
                          !isSelf && (
                            <div className="row">
                              <button
                                type="button"
                                className="button"
                                aria-label={t("users.resetPasswordOf", { email: user.email })}
                                onClick={() => setResetting(user.id)}
                              >
                                {t("users.resetPassword")}
                              </button>
                              <button
                                type="button"
                                className="button danger"
                                aria-label={t("users.deleteLabel", { email: user.email })}
                                onClick={() => void remove(user)}
                              >
                                {t("users.delete")}
                              </button>
                            </div>
                          )
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </section>
  );
}
