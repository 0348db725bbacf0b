import { createContext, type ReactNode, useCallback, useContext, useEffect, useMemo, useState } from "react";
import { useApi } from "../lib/api-context";
import type { Workspace } from "../lib/api-types";
import { useNotices } from "./use-notices";

interface WorkspacesValue {
  /** The workspaces, or null while the first list is loading. */
  workspaces: Workspace[] | null;
  refresh: () => Promise<void>;
  /** Creates a workspace and adds it to the list; throws the server's error. */
  create: (name: string) => Promise<Workspace>;
  /** Replaces one workspace in the list after it changed. */
  replace: (workspace: Workspace) => void;
}

const WorkspacesContext = createContext<WorkspacesValue | null>(null);

/** localStorage key of the last workspace opened, where `/` leads. */
export const lastWorkspaceKey = "zhiku.workspace";

/** Loads the workspace list once for the whole app. */
export function WorkspacesProvider(props: { children: ReactNode }) {
  const api = useApi();
  const { showError } = useNotices();
  const [workspaces, setWorkspaces] = useState<Workspace[] | null>(null);

  const refresh = useCallback(async () => {
    try {
      setWorkspaces(await api.listWorkspaces());
    } catch (error) {
      showError(error);
      setWorkspaces((current) => current ?? []);
    }
  }, [api, showError]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const create = useCallback(
    async (name: string) => {
      const workspace = await api.createWorkspace(name);
      setWorkspaces((current) => [
        ...(current ?? []).filter((item) => item.slug !== workspace.slug),
        workspace,
      ]);
      return workspace;
    },
    [api],
  );

  const replace = useCallback((workspace: Workspace) => {
    setWorkspaces((current) =>
      (current ?? []).map((item) => (item.slug === workspace.slug ? workspace : item)),
    );
  }, []);

  const value = useMemo(
    () => ({ workspaces, refresh, create, replace }),
    [workspaces, refresh, create, replace],
  );
  return <WorkspacesContext.Provider value={value}>{props.children}</WorkspacesContext.Provider>;
}

/** The workspace list and its actions. */
export function useWorkspaces(): WorkspacesValue {
  const value = useContext(WorkspacesContext);
  if (!value) throw new Error("useWorkspaces must be used inside <WorkspacesProvider>");
  return value;
}
