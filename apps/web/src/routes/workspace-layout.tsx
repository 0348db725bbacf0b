import { useCallback, useEffect, useRef, useState } from "react";
import { Outlet, useParams } from "react-router";
import { ChatProvider } from "../hooks/use-chat";
import { useNotices } from "../hooks/use-notices";
import { useThreads } from "../hooks/use-threads";
import { lastWorkspaceKey, useWorkspaces } from "../hooks/use-workspaces";
import { useI18n } from "../i18n/i18n";
import type { Thread, Workspace } from "../lib/api-types";
import { NotFoundPage } from "./not-found-page";

/** What the workspace pages get through the outlet context. */
export interface WorkspaceOutletContext {
  workspace: Workspace;
  threads: Thread[] | null;
  refreshThreads: () => Promise<void>;
  renameThread: (thread: Thread, title: string) => Promise<void>;
  deleteThread: (thread: Thread) => Promise<void>;
}

/** `/workspaces/:slug/*`: checks the workspace exists, remembers it, and keeps its conversation state. */
export function WorkspaceLayout() {
  const { t } = useI18n();
  const { slug = "" } = useParams();
  const { workspaces, refresh: refreshWorkspaces } = useWorkspaces();
  const { showError } = useNotices();
  const workspace = workspaces?.find((item) => item.slug === slug);
  const { threads, refresh, rename, remove } = useThreads({ slug, onError: showError });
  const onThreadChanged = useCallback(() => void refresh(), [refresh]);

  // A deep link to a workspace created elsewhere (another tab, the CLI): look again once before saying "not found".
  const checking = useRef<string | null>(null);
  const [checked, setChecked] = useState<string | null>(null);
  useEffect(() => {
    if (workspaces === null || workspace || checking.current === slug) return;
    checking.current = slug;
    void refreshWorkspaces().finally(() => setChecked(slug));
  }, [workspaces, workspace, slug, refreshWorkspaces]);

  useEffect(() => {
    if (!workspace) return;
    try {
      window.localStorage.setItem(lastWorkspaceKey, workspace.slug);
    } catch {
      // Only a convenience.
    }
  }, [workspace]);

  if (workspaces === null || (!workspace && checked !== slug)) {
    return <p className="page muted">{t("app.loading")}</p>;
  }
  if (!workspace) return <NotFoundPage message={t("workspace.notFound", { slug })} />;

  const context: WorkspaceOutletContext = {
    workspace,
    threads,
    refreshThreads: refresh,
    renameThread: rename,
    deleteThread: remove,
  };
  return (
    <ChatProvider key={slug} slug={slug} onThreadChanged={onThreadChanged} onError={showError}>
      <Outlet context={context} />
    </ChatProvider>
  );
}
