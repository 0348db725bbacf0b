import { Ollama } from "ollama";
import pLimit from "p-limit";
import pRetry from "p-retry";
import { isRetryable, ZhikuError } from "../errors.js";
import type { Embedder } from "../types.js";
import {
  isConnectionError,
  isModelMissingMessage,
  modelMissingError,
  responseStatus,
  serverError,
  unreachableError,
} from "./ollama-errors.js";

/** Options of {@link createOllamaEmbedder}. */
export interface OllamaEmbedderOptions {
  /** Ollama base URL, e.g. `http://127.0.0.1:11434`. */
  host: string;
  /** Embedding model name as Ollama knows it, e.g. `bge-m3`. */
  model: string;
  /** Texts per `/api/embed` request. Default 32. */
  batchSize?: number;
  /** Requests in flight at once. Default 2. */
  concurrency?: number;
  /** Retries per request after connection errors and 5xx responses (never after 4xx). Default 4. */
  retries?: number;
  /** Delay before the first retry in milliseconds; doubles each retry, with random jitter up to 2×. Default 300. */
  retryDelayMs?: number;
  /** Upper bound of one retry delay in milliseconds. Default 10 000. */
  maxRetryDelayMs?: number;
  /** The fetch implementation, for tests and proxies. Default the global `fetch`. */
  fetch?: typeof fetch;
  /** Ask Ollama to truncate inputs longer than the model's context instead of failing. Ollama's default when unset. */
  truncate?: boolean;
}

/** The fixed text embedded to learn the vector length when `/api/show` does not report it. */
const DIMENSION_PROBE_TEXT = "dimension probe";

function positiveInteger(name: string, value: number, minimum: number): number {
  if (!Number.isInteger(value) || value < minimum) {
    throw new ZhikuError("invalid:input", `${name} must be an integer of at least ${minimum}, got ${value}`);
  }
  return value;
}

/**
 * Creates an {@link Embedder} backed by Ollama's `/api/embed`.
 *
 * Texts are sent in batches of `batchSize`, at most `concurrency` requests at a time, and vectors come back in
 * input order. Connection errors (refused, reset, dropped) and 5xx responses are retried with exponential
 * backoff and jitter; 4xx responses are not. Errors are {@link ZhikuError}s:
 * - `not_found:model` at once when Ollama does not have the model, with the `ollama pull` command that fixes it;
 * - `unavailable:ollama` when Ollama cannot be reached (or keeps failing) after the retries;
 * - `invalid:input` when Ollama rejects a request (another 4xx).
 * When one batch fails for good the others are cancelled.
 */
export function createOllamaEmbedder(options: OllamaEmbedderOptions): Embedder {
  const { host, model, truncate } = options;
  const batchSize = positiveInteger("batchSize", options.batchSize ?? 32, 1);
  const concurrency = positiveInteger("concurrency", options.concurrency ?? 2, 1);
  const retries = positiveInteger("retries", options.retries ?? 4, 0);
  const retryDelayMs = options.retryDelayMs ?? 300;
  const maxRetryDelayMs = options.maxRetryDelayMs ?? 10_000;
  const baseFetch = options.fetch ?? globalThis.fetch;

  /** A client whose requests carry `signal`: the `ollama` client passes no signal for non-streamed calls. */
  function clientFor(signal: AbortSignal | undefined): Ollama {
    const fetchWithSignal: typeof fetch = (input, init) =>
      baseFetch(
        input,
        signal ? { ...init, signal: init?.signal ? AbortSignal.any([init.signal, signal]) : signal } : init,
      );
    return new Ollama({ host, fetch: fetchWithSignal });
  }

  /** Maps a failed request to a ZhikuError; its `retryable` says whether another attempt is worth it. */
  function classify(error: unknown, signal: AbortSignal | undefined): unknown {
    if (signal?.aborted) return signal.reason ?? error;
    const status = responseStatus(error);
    const message = error instanceof Error ? error.message : String(error);
    if (status === 404 || (status !== undefined && status < 500 && isModelMissingMessage(message))) {
      return modelMissingError({ host, model, cause: error });
    }
    if (status !== undefined && status >= 400 && status < 500) {
      return new ZhikuError(
        "invalid:input",
        `Ollama at ${host} rejected the embedding request for model "${model}" (${status}): ${message}`,
        { cause: error },
      );
    }
    if (status !== undefined && status >= 500)
      return serverError({ host, model, status, message, cause: error });
    if (isConnectionError(error)) return unreachableError({ host, cause: error });
    return error;
  }

  /** Runs one Ollama request with retries. */
  function withRetries<T>(
    request: () => Promise<T>,
    signal: AbortSignal | undefined,
    attempts: number = retries,
  ): Promise<T> {
    return pRetry(
      async () => {
        try {
          return await request();
        } catch (error) {
          throw classify(error, signal);
        }
      },
      {
        retries: attempts,
        factor: 2,
        minTimeout: retryDelayMs,
        maxTimeout: maxRetryDelayMs,
        randomize: true,
        signal,
        shouldRetry: ({ error }) => !signal?.aborted && isRetryable(error),
      },
    );
  }

  async function embedBatch(
    texts: string[],
    signal: AbortSignal | undefined,
    attempts?: number,
  ): Promise<number[][]> {
    const client = clientFor(signal);
    const response = await withRetries(
      () => client.embed({ model, input: texts, ...(truncate === undefined ? {} : { truncate }) }),
      signal,
      attempts,
    );
    if (!Array.isArray(response.embeddings) || response.embeddings.length !== texts.length) {
      throw new ZhikuError(
        "unavailable:ollama",
        `Ollama at ${host} returned ${response.embeddings?.length ?? 0} vectors for ${texts.length} texts (model "${model}")`,
      );
    }
    return response.embeddings;
  }

  let dimensionPromise: Promise<number> | undefined;

  async function readDimension(): Promise<number> {
    const client = clientFor(undefined);
    try {
      const shown = await withRetries(() => client.show({ model }), undefined);
      // The JSON carries model_info as a plain object even though the client types it as a Map.
      const info = (shown.model_info ?? {}) as unknown as Record<string, unknown>;
      for (const [key, value] of Object.entries(info)) {
        if (key.endsWith(".embedding_length") && typeof value === "number" && value > 0) return value;
      }
    } catch (error) {
      // A missing model or an unreachable server fails here just as it would for the probe.
      if (error instanceof ZhikuError && error.code !== "invalid:input") throw error;
    }
    const [vector] = await embedBatch([DIMENSION_PROBE_TEXT], undefined);
    return vector!.length;
  }

  return {
    model,
    dimension() {
      dimensionPromise ??= readDimension().catch((error: unknown) => {
        dimensionPromise = undefined;
        throw error;
      });
      return dimensionPromise;
    },
    async embed(texts, embedOptions) {
      const outerSignal = embedOptions?.signal;
      outerSignal?.throwIfAborted();
      if (texts.length === 0) return [];
      // One batch failing for good cancels the rest rather than letting them retry on.
      const controller = new AbortController();
      const signal = outerSignal ? AbortSignal.any([outerSignal, controller.signal]) : controller.signal;
      const limit = pLimit(concurrency);
      const vectors: number[][] = new Array(texts.length);
      let done = 0;
      let failed = false;
      let firstError: unknown;
      const batches: Array<Promise<void>> = [];
      for (let start = 0; start < texts.length; start += batchSize) {
        const batch = texts.slice(start, start + batchSize);
        batches.push(
          limit(async () => {
            try {
              signal.throwIfAborted();
              const batchVectors = await embedBatch(batch, signal, embedOptions?.retries);
              for (let index = 0; index < batchVectors.length; index++)
                vectors[start + index] = batchVectors[index]!;
              done += batch.length;
              embedOptions?.onProgress?.(done);
            } catch (error) {
              if (!failed) {
                failed = true;
                firstError = error;
                controller.abort();
              }
            }
          }),
        );
      }
      await Promise.all(batches);
      if (failed) throw outerSignal?.aborted ? outerSignal.reason : firstError;
      return vectors;
    },
  };
}
