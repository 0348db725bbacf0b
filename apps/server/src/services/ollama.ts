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

/** What asking Ollama for its status needs. */
export interface CheckOllamaStatusOptions {
  ollama: OllamaAccess;
  chatModel: string;
  embedModel: string;
  /** Give up after this long. Default 3 s. */
  timeoutMs?: number;
}

/** Asks Ollama for its installed models; an unreachable Ollama is reported, never thrown. */
async function checkOllamaStatus(options: CheckOllamaStatusOptions): Promise<OllamaStatus> {
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

/** An {@link OllamaStatus} and when it was taken. */
export interface OllamaStatusReport extends OllamaStatus {
  /** When Ollama was asked, ISO 8601. */
  checkedAt: string;
}

/** Options for {@link createOllamaStatusMonitor}. */
export interface OllamaStatusMonitorOptions extends CheckOllamaStatusOptions {
  /** A status younger than this is answered as it is. Default 2 s. */
  freshForMs?: number;
  /**
   * A status older than `freshForMs` and younger than this is answered at once while Ollama is asked again in the
   * background; an older one (or none) waits for the answer. Default 30 s.
   */
  staleForMs?: number;
  /** The clock, in milliseconds. Default `Date.now`. */
  now?: () => number;
}

/** The latest Ollama status, asked for at most once at a time. */
export interface OllamaStatusMonitor {
  /**
   * The latest status: at once while it is recent enough, else after asking Ollama (see the options). With
   * `fresh`, always after asking (sharing a request already on its way).
   */
  current(options?: { fresh?: boolean }): Promise<OllamaStatusReport>;
  /** Forgets the status, so the next {@link current} asks Ollama (after a model was pulled, say). */
  invalidate(): void;
}

/**
 * Keeps Ollama's status for `/api/health`, which clients and healthchecks poll: a poll answers from the latest
 * status instead of waiting on Ollama each time (under load each round trip costs event-loop turns), and polls
 * that arrive together share one request to Ollama.
 */
export function createOllamaStatusMonitor(options: OllamaStatusMonitorOptions): OllamaStatusMonitor {
  const { freshForMs = 2_000, staleForMs = 30_000, now = Date.now } = options;
  let latest: { report: OllamaStatusReport; at: number } | undefined;
  let asking: Promise<OllamaStatusReport> | undefined;

  const ask = (): Promise<OllamaStatusReport> => {
    if (asking) return asking;
    const request = checkOllamaStatus(options).then((status) => {
      const at = now();
      const report = { ...status, checkedAt: new Date(at).toISOString() };
      // An answer asked for before invalidate() is not kept: it may predate the change.
      if (asking === request) latest = { report, at };
      return report;
    });
    asking = request;
    void request.finally(() => {
      if (asking === request) asking = undefined;
    });
    return request;
  };

  return {
    async current(currentOptions) {
      if (currentOptions?.fresh) return ask();
      const age = latest ? now() - latest.at : Number.POSITIVE_INFINITY;
      if (latest && age < freshForMs) return latest.report;
      if (latest && age < staleForMs) {
        void ask();
        return latest.report;
      }
      return ask();
    },
    invalidate() {
      latest = undefined;
      asking = undefined;
    },
  };
}
