import { Ollama } from "ollama";

/** How the server reaches Ollama: its base URL and a factory for `ollama` clients. */
export interface OllamaAccess {
  /** Base URL of Ollama, e.g. `http://127.0.0.1:11434`. */
  readonly host: string;
  /**
   * A new client for `host`. Pass `timeoutMs` for short requests (status checks); streaming calls
   * leave it out and abort through the client's `abort()` or the iterator's `abort()`.
   */
  createClient(options?: { timeoutMs?: number }): Ollama;
}

/** Builds the {@link OllamaAccess} for a host. */
export function createOllamaAccess(host: string): OllamaAccess {
  return {
    host,
    createClient(options) {
      const timeoutMs = options?.timeoutMs;
      if (timeoutMs === undefined) return new Ollama({ host });
      return new Ollama({
        host,
        fetch: (input, init) => {
          const timeout = AbortSignal.timeout(timeoutMs);
          const signal = init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
          return fetch(input, { ...init, signal });
        },
      });
    },
  };
}

/** Whether Ollama answers and which of the configured models it has. */
export interface OllamaStatus {
  reachable: boolean;
  chatModel: { name: string; available: boolean };
  embedModel: { name: string; available: boolean };
}

/** True when `installed` (as Ollama lists it, e.g. `bge-m3:latest`) is the model `wanted`. */
export function isSameModel(installed: string, wanted: string): boolean {
  const withTag = (name: string) => (name.includes(":") ? name : `${name}:latest`);
  return withTag(installed) === withTag(wanted);
}

/** Options for {@link checkOllamaStatus}. */
export interface CheckOllamaStatusOptions {
  ollama: OllamaAccess;
  chatModel: string;
  embedModel: string;
  /** Give up after this long. Default 3 s. */
  timeoutMs?: number;
}

/** Asks Ollama for its installed models; an unreachable Ollama is reported, never thrown. */
export async function checkOllamaStatus(options: CheckOllamaStatusOptions): Promise<OllamaStatus> {
  const { chatModel, embedModel } = options;
  try {
    const { models } = await options.ollama.createClient({ timeoutMs: options.timeoutMs ?? 3_000 }).list();
    const names = models.map((model) => model.name);
    return {
      reachable: true,
      chatModel: { name: chatModel, available: names.some((name) => isSameModel(name, chatModel)) },
      embedModel: { name: embedModel, available: names.some((name) => isSameModel(name, embedModel)) },
    };
  } catch {
    return {
      reachable: false,
      chatModel: { name: chatModel, available: false },
      embedModel: { name: embedModel, available: false },
    };
  }
}
