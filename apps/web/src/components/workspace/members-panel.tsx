import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from "react";
import { useLocation } from "react-router";
import { useNotices } from "../../hooks/use-notices";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { toApiError } from "../../lib/api-error";
import type { Member, Workspace, WorkspaceRole } from "../../lib/api-types";
import { TextField } from "../forms/text-field";

const roles: readonly WorkspaceRole[] = ["viewer", "editor", "owner"];

/**
 * Who may use a workspace (shown to its owners and admins): share it with a user by email and role,
 * change a member's role, remove a member. The server checks every change again.
 */
export function MembersPanel(props: { workspace: Workspace }) {
  const { t } = useI18n();
  const api = useApi();
  const { showError, showInfo } = useNotices();
  const slug = props.workspace.slug;
  const roleId = useId();
  const emailRef = useRef<HTMLInputElement>(null);
  const [members, setMembers] = useState<Member[] | null>(null);
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<WorkspaceRole>("viewer");
  const [emailError, setEmailError] = useState<string | null>(null);
  const [pending, setPending] = useState(false);

  const reload = useCallback(async () => {
    try {
      setMembers(await api.listMembers(slug));
    } catch (error) {
      showError(error);
      setMembers((current) => current ?? []);
    }
  }, [api, slug, showError]);

  useEffect(() => {
    void reload();
  }, [reload]);

  // A deep link to #members: the panel renders after the page loaded, so the browser could not scroll to it.
  const { hash } = useLocation();
  const sectionRef = useRef<HTMLElement>(null);
  const loaded = members !== null;
  useEffect(() => {
    const section = sectionRef.current;
    const main = section?.closest("main");
    if (!loaded || hash !== "#members" || !section || !main) return;
    // Scroll only the page's own scroll area, so the header stays in view.
    const offset = section.getBoundingClientRect().top - main.getBoundingClientRect().top;
    main.scrollTo({ top: main.scrollTop + offset - 8 });
  }, [loaded, hash]);

  const roleName = (value: WorkspaceRole) => t(`role.${value}`);

  async function share(event: FormEvent) {
    event.preventDefault();
    const address = email.trim();
    if (!address) {
      setEmailError(t("auth.emailRequired"));
      emailRef.current?.focus();
      return;
    }
    setPending(true);
    setEmailError(null);
    try {
      const member = await api.setMember(slug, { email: address, role });
      setMembers((current) => [...(current ?? []).filter((item) => item.userId !== member.userId), member]);
      setEmail("");
      showInfo(t("members.added", { email: member.email, role: roleName(member.role) }));
    } catch (error) {
      const apiError = toApiError(error);
      setEmailError(
        apiError.code.startsWith("not_found:user")
          ? t("members.unknownUser")
          : localizeError({ error: apiError, t }),
      );
      emailRef.current?.focus();
    } finally {
      setPending(false);
    }
  }

  async function changeRole(member: Member, next: WorkspaceRole) {
    try {
      const updated = await api.setMember(slug, { email: member.email, role: next });
      setMembers((current) =>
        (current ?? []).map((item) => (item.userId === member.userId ? { ...item, ...updated } : item)),
      );
      showInfo(t("members.roleChanged", { email: member.email, role: roleName(next) }));
    } catch (error) {
      showError(error);
      void reload();
    }
  }

  async function remove(member: Member) {
    if (
      !window.confirm(t("members.removeConfirm", { email: member.email, workspace: props.workspace.name }))
    ) {
      return;
    }
    try {
      await api.removeMember(slug, member.userId);
      setMembers((current) => (current ?? []).filter((item) => item.userId !== member.userId));
      showInfo(t("members.removed", { email: member.email }));
    } catch (error) {
      showError(error);
    }
  }

  return (
    <section ref={sectionRef} id="members" aria-labelledby="members-title" className="card members-panel">
      <h2 id="members-title">{t("members.title")}</h2>
      <p className="muted">{t("members.intro")}</p>
      <form className="inline-form" noValidate onSubmit={(event) => void share(event)}>
        <TextField
          label={t("members.email")}
          type="email"
          autoComplete="off"
          value={email}
          error={emailError}
          inputRef={emailRef}
          onChange={(event) => setEmail(event.target.value)}
        />
        <div className="field">
          <label htmlFor={roleId}>{t("role.label")}</label>
          <select id={roleId} value={role} onChange={(event) => setRole(event.target.value as WorkspaceRole)}>
            {roles.map((value) => (
              <option key={value} value={value}>
                {roleName(value)}
              </option>
            ))}
          </select>
        </div>
        <button type="submit" className="button primary" disabled={pending}>
          {t("members.add")}
        </button>
      </form>
      {members === null && <p className="muted">{t("app.loading")}</p>}
      {members?.length === 0 && <p className="muted">{t("members.empty")}</p>}
      {members && members.length > 0 && (
        <table className="data-table">
          <caption className="visually-hidden">
            {t("members.list", { workspace: props.workspace.name })}
          </caption>
          <thead>
            <tr>
              <th scope="col">{t("users.email")}</th>
              <th scope="col">{t("role.label")}</th>
              <th scope="col">
                <span className="visually-hidden">{t("users.actions")}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {members.map((member) => (
              <tr key={member.userId}>
                <td>{member.email}</td>
                <td>
                  <select
                    aria-label={t("members.roleOf", { email: member.email })}
                    value={member.role}
                    onChange={(event) => void changeRole(member, event.target.value as WorkspaceRole)}
                  >
                    {roles.map((value) => (
                      <option key={value} value={value}>
                        {roleName(value)}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <button
                    type="button"
                    className="button danger"
                    aria-label={t("members.removeLabel", { email: member.email })}
                    onClick={() => void remove(member)}
                  >
                    {t("members.remove")}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
