import { Ollama } from "ollama";

/** Options of {@link checkOllama}. */
export interface CheckOllamaOptions {
  /** Ollama base URL, e.g. `http://127.0.0.1:11434`. */
  host: string;
  /** The fetch implementation, for tests and proxies. Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Give up on each request after this many milliseconds. Default 3000. */
  timeoutMs?: number;
}

/** What {@link checkOllama} found. */
export interface OllamaStatus {
  /** True when Ollama answered `/api/version`. */
  reachable: boolean;
  /** Ollama's version, when reachable. */
  version?: string;
  /** Names of the installed models (`/api/tags`), e.g. `["bge-m3:latest"]`; empty when unreachable. */
  models: string[];
}

/**
 * Asks Ollama for its version and installed models, for health checks and start-up diagnostics.
 * Never throws: an unreachable Ollama (or one that fails) gives `{ reachable: false, models: [] }`. No retries,
 * so a health check answers quickly.
 */
export async function checkOllama(options: CheckOllamaOptions): Promise<OllamaStatus> {
  const baseFetch = options.fetch ?? globalThis.fetch;
  const timeoutMs = options.timeoutMs ?? 3000;
  const fetchWithTimeout: typeof fetch = (input, init) =>
    baseFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  const client = new Ollama({ host: options.host, fetch: fetchWithTimeout });
  let version: string;
  try {
    ({ version } = await client.version());
  } catch {
    return { reachable: false, models: [] };
  }
  try {
    const { models } = await client.list();
    return { reachable: true, version, models: models.map((model) => model.name) };
  } catch {
    return { reachable: true, version, models: [] };
  }
}
