import { useCallback, useEffect, useState } from "react";
import { useApi } from "../lib/api-context";
import { type ApiError, toApiError } from "../lib/api-error";
import type { InstalledModel } from "../lib/api-types";

/** The models installed in Ollama, as the server lists them. */
export interface ModelsState {
  /** The installed models; null until listed, and while Ollama cannot be reached. */
  models: InstalledModel[] | null;
  /** Why the list could not be read (`unavailable:ollama` when Ollama is down), or null. */
  error: ApiError | null;
  /** True while the list is being read. */
  loading: boolean;
  /** Reads the list again. */
  refresh: () => Promise<void>;
}

/** Lists the models installed in Ollama (`GET /api/models`) once, and again on `refresh`. */
export function useModels(): ModelsState {
  const api = useApi();
  const [models, setModels] = useState<InstalledModel[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);
  const [loading, setLoading] = useState(true);

  const refresh = useCallback(async () => {
    setLoading(true);
    try {
      setModels(await api.listModels());
      setError(null);
    } catch (caught) {
      setModels(null);
      setError(toApiError(caught));
    } finally {
      setLoading(false);
    }
  }, [api]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  return { models, error, loading, refresh };
}
