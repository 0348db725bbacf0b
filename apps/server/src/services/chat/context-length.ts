import type { Ollama } from "ollama";

/** Used when Ollama's model info carries no `*.context_length` (every current chat model has at least this). */
export const fallbackContextLength = 4096;

/** Reads and remembers each model's real context length from Ollama's `/api/show`. */
export interface ContextLengthCache {
  /** The model's context length in tokens; asks Ollama once per model, later calls are served from memory. */
  get(options: { client: Ollama; model: string }): Promise<number>;
}

/** Creates an empty {@link ContextLengthCache}. Failed lookups are not cached, so a later call retries. */
export function createContextLengthCache(): ContextLengthCache {
  const lengths = new Map<string, Promise<number>>();
  return {
    get({ client, model }) {
      let length = lengths.get(model);
      if (!length) {
        length = client.show({ model }).then((response) => contextLengthFromModelInfo(response.model_info));
        lengths.set(model, length);
        length.catch(() => lengths.delete(model));
      }
      return length;
    },
  };
}

/**
 * Finds `<architecture>.context_length` in `/api/show`'s `model_info` (typed as a Map by the client but a plain
 * object on the wire).
 */
export function contextLengthFromModelInfo(modelInfo: unknown): number {
  const entries: Array<[string, unknown]> =
    modelInfo instanceof Map
      ? [...modelInfo.entries()]
      : modelInfo && typeof modelInfo === "object"
        ? Object.entries(modelInfo)
        : [];
  for (const [key, value] of entries) {
    if (
      (key === "context_length" || key.endsWith(".context_length")) &&
      typeof value === "number" &&
      value > 0
    ) {
      return value;
    }
  }
  return fallbackContextLength;
}
