import { Ollama } from "ollama";

/**
 * Makes a fresh Ollama client for one chat request. One client per request because `Ollama.abort()` aborts every
 * stream of a client instance; the `signal` (the HTTP client's disconnect) is wired into every fetch the client makes,
 * so it also cancels non-streamed calls and a stream still waiting for its first byte, which `abort()` cannot reach.
 */
export type OllamaClientFactory = (options: { signal?: AbortSignal }) => Ollama;

/** Options for {@link createOllamaClientFactory}. */
export interface OllamaClientFactoryOptions {
  /** Base URL of the Ollama server, e.g. `http://127.0.0.1:11434`. */
  host: string;
  /** The fetch to use; defaults to the global one. */
  fetch?: typeof fetch;
}

/** Creates an {@link OllamaClientFactory} for one Ollama host. */
export function createOllamaClientFactory(options: OllamaClientFactoryOptions): OllamaClientFactory {
  const baseFetch = options.fetch ?? fetch;
  return ({ signal }) => {
    const boundFetch: typeof fetch = (input, init) => {
      if (!signal) return baseFetch(input, init);
      const combined = init?.signal ? AbortSignal.any([init.signal, signal]) : signal;
      return baseFetch(input, { ...init, signal: combined });
    };
    return new Ollama({ host: options.host, fetch: boundFetch });
  };
}
