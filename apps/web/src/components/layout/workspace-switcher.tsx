import { type FormEvent, useId, useState } from "react";
import { useNavigate } from "react-router";
import { useNotices } from "../../hooks/use-notices";
import { useWorkspaces } from "../../hooks/use-workspaces";
import { useI18n } from "../../i18n/i18n";

/** Chooses the current workspace and creates new ones. */
export function WorkspaceSwitcher(props: { slug: string | undefined; section: "chat" | "documents" }) {
  const { t } = useI18n();
  const { workspaces, create } = useWorkspaces();
  const { showError } = useNotices();
  const navigate = useNavigate();
  const selectId = useId();
  const [creating, setCreating] = useState(false);
  const [name, setName] = useState("");
  const [pending, setPending] = useState(false);

  const go = (slug: string) =>
    navigate(`/workspaces/${encodeURIComponent(slug)}${props.section === "documents" ? "/documents" : ""}`);

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) return;
    setPending(true);
    try {
      const workspace = await create(name.trim());
      setCreating(false);
      setName("");
      navigate(`/workspaces/${encodeURIComponent(workspace.slug)}/documents`);
    } catch (error) {
      showError(error);
    } finally {
      setPending(false);
    }
  }

  const known = workspaces?.some((workspace) => workspace.slug === props.slug) ?? false;

  if (creating) {
    return (
      <form className="workspace-create" onSubmit={(event) => void submit(event)}>
        <input
          aria-label={t("workspace.newName")}
          placeholder={t("workspace.newName")}
          value={name}
          // biome-ignore lint/a11y/noAutofocus: opened on purpose by the New workspace button
          autoFocus
          onChange={(event) => setName(event.target.value)}
          onKeyDown={(event) => event.key === "Escape" && setCreating(false)}
        />
        <button type="submit" className="button primary" disabled={pending || !name.trim()}>
          {pending ? t("workspace.creating") : t("workspace.create")}
        </button>
        <button type="button" className="button" onClick={() => setCreating(false)}>
          {t("workspace.cancel")}
        </button>
      </form>
    );
  }

  return (
    <div className="workspace-switcher">
      <label htmlFor={selectId} className="visually-hidden">
        {t("workspace.switcher")}
      </label>
      <select id={selectId} value={known ? props.slug : ""} onChange={(event) => void go(event.target.value)}>
        {!known && <option value="">{t("workspace.switcher")}</option>}
        {workspaces?.map((workspace) => (
          <option key={workspace.slug} value={workspace.slug}>
            {workspace.name}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={() => setCreating(true)}>
        + <span className="label-wide">{t("workspace.new")}</span>
        <span className="visually-hidden label-narrow">{t("workspace.new")}</span>
      </button>
    </div>
  );
}
