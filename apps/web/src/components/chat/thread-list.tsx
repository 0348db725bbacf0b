import { type FormEvent, useState } from "react";
import { NavLink } from "react-router";
import { useI18n } from "../../i18n/i18n";
import type { Thread } from "../../lib/api-types";
import { PencilIcon, TrashIcon } from "../icons";

/** Props of {@link ThreadList}. */
export interface ThreadListProps {
  slug: string;
  threads: Thread[] | null;
  onRename: (thread: Thread, title: string) => Promise<void>;
  onDelete: (thread: Thread) => Promise<void>;
  /** The signed-in user: threads of anyone else (an admin sees all) are labelled with whose they are. */
  currentUserId: string | null;
  /** Called when a link is followed (closes the menu on phones). */
  onNavigate?: () => void;
}

/**
 * The workspace's conversations, each with rename and delete, marked when the newest answer was stopped and, for
 * someone else's thread, labelled with its owner.
 */
export function ThreadList(props: ThreadListProps) {
  const { t } = useI18n();
  const [editing, setEditing] = useState<string | null>(null);
  const [title, setTitle] = useState("");

  if (props.threads === null) return <p className="muted">{t("app.loading")}</p>;
  if (props.threads.length === 0) return <p className="muted">{t("threads.empty")}</p>;

  async function save(event: FormEvent, thread: Thread) {
    event.preventDefault();
    const next = title.trim();
    if (next && next !== thread.title) await props.onRename(thread, next);
    setEditing(null);
  }

  return (
    <ul className="thread-list">
      {props.threads.map((thread) => {
        const name = thread.title || t("threads.untitled");
        if (editing === thread.id) {
          return (
            <li key={thread.id}>
              <form className="thread-rename" onSubmit={(event) => void save(event, thread)}>
                <input
                  aria-label={t("threads.renameLabel", { title: name })}
                  value={title}
                  // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this field
                  autoFocus
                  onChange={(event) => setTitle(event.target.value)}
                  onKeyDown={(event) => event.key === "Escape" && setEditing(null)}
                />
                <button type="submit" className="icon-button">
                  {t("threads.save")}
                </button>
                <button type="button" className="icon-button" onClick={() => setEditing(null)}>
                  {t("threads.cancel")}
                </button>
              </form>
            </li>
          );
        }
        const others = thread.owner?.id !== props.currentUserId;
        return (
          <li key={thread.id}>
            <NavLink
              to={`/workspaces/${encodeURIComponent(props.slug)}/threads/${encodeURIComponent(thread.id)}`}
              onClick={props.onNavigate}
            >
              <span className="thread-name">{name}</span>
              {thread.stopped && <span className="thread-badge">{t("threads.stopped")}</span>}
              {others && (
                <span className="thread-owner">
                  {thread.owner ? t("threads.owner", { email: thread.owner.email }) : t("threads.noOwner")}
                </span>
              )}
            </NavLink>
            <span className="thread-actions">
              <button
                type="button"
                className="icon-button"
                title={t("threads.rename")}
                aria-label={`${t("threads.rename")}: ${name}`}
                onClick={() => {
                  setTitle(thread.title);
                  setEditing(thread.id);
                }}
              >
                <PencilIcon />
              </button>
              <button
                type="button"
                className="icon-button"
                title={t("threads.delete")}
                aria-label={`${t("threads.delete")}: ${name}`}
                onClick={() => {
                  if (window.confirm(t("threads.deleteConfirm", { title: name })))
                    void props.onDelete(thread);
                }}
              >
                <TrashIcon />
              </button>
            </span>
          </li>
        );
      })}
    </ul>
  );
}
