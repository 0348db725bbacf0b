import { useCallback, useEffect, useRef, useState } from "react";
import { useApi } from "../lib/api-context";
import { toApiError } from "../lib/api-error";
import type { Health } from "../lib/api-types";
import { readServerSentEvents } from "../lib/sse-parser";

/** Progress of a model download. */
export interface PullState {
  model: string;
  /** Ollama's status line, such as "pulling manifest" or "downloading". */
  status: string;
  completed?: number;
  total?: number;
  finished: boolean;
  error?: string;
}

/** Server health, polled; and the model pull with its progress. */
export function useHealth(options: { pollMs?: number } = {}) {
  const api = useApi();
  const [health, setHealth] = useState<Health | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pull, setPull] = useState<PullState | null>(null);
  const pullAbort = useRef<AbortController | null>(null);

  const check = useCallback(async () => {
    try {
      setHealth(await api.health());
      setError(null);
    } catch (caught) {
      setError(toApiError(caught).message);
    }
  }, [api]);

  useEffect(() => {
    void check();
    const timer = setInterval(() => void check(), options.pollMs ?? 30_000);
    return () => {
      clearInterval(timer);
      pullAbort.current?.abort();
    };
  }, [check, options.pollMs]);

  const pullModel = useCallback(
    async (model: string) => {
      pullAbort.current?.abort();
      const controller = new AbortController();
      pullAbort.current = controller;
      setPull({ model, status: "", finished: false });
      try {
        const response = await api.pullModel(model, controller.signal);
        if (!response.body) throw new Error("empty reply");
        for await (const event of readServerSentEvents(response.body)) {
          let data: Record<string, unknown> = {};
          try {
            data = JSON.parse(event.data) as Record<string, unknown>;
          } catch {
            data = { status: event.data };
          }
          if (event.event === "error") {
            throw new Error(typeof data.message === "string" ? data.message : event.data);
          }
          const status = typeof data.status === "string" ? data.status : event.event;
          setPull((current) => ({
            model,
            status,
            completed: typeof data.completed === "number" ? data.completed : current?.completed,
            total: typeof data.total === "number" ? data.total : current?.total,
            finished: event.event === "done" || status === "success",
          }));
        }
        setPull((current) => (current ? { ...current, finished: true } : current));
        await check();
      } catch (caught) {
        if (controller.signal.aborted) return;
        setPull((current) => ({
          model,
          status: current?.status ?? "",
          finished: true,
          error: toApiError(caught).message,
        }));
      }
    },
    [api, check],
  );

  return { health, error, check, pull, pullModel };
}
