import { useCallback, useEffect, useState } from "react";
import { useApi } from "../lib/api-context";
import type { Thread } from "../lib/api-types";

/** The threads of a workspace with rename and delete; errors go to `onError`. */
export function useThreads(options: { slug: string; onError: (error: unknown) => void }) {
  const api = useApi();
  const [threads, setThreads] = useState<Thread[] | null>(null);
  const { slug, onError } = options;

  const refresh = useCallback(async () => {
    try {
      setThreads(await api.listThreads(slug));
    } catch (error) {
      onError(error);
      setThreads((current) => current ?? []);
    }
  }, [api, slug, onError]);

  useEffect(() => {
    setThreads(null);
    void refresh();
  }, [refresh]);

  const rename = useCallback(
    async (thread: Thread, title: string) => {
      try {
        await api.renameThread(thread.id, title);
        setThreads(
          (current) => current?.map((item) => (item.id === thread.id ? { ...item, title } : item)) ?? null,
        );
      } catch (error) {
        onError(error);
      }
    },
    [api, onError],
  );

  const remove = useCallback(
    async (thread: Thread) => {
      try {
        await api.deleteThread(thread.id);
        setThreads((current) => current?.filter((item) => item.id !== thread.id) ?? null);
      } catch (error) {
        onError(error);
      }
    },
    [api, onError],
  );

  return { threads, refresh, rename, remove };
}
