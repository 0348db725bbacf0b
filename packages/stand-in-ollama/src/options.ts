import type { StandInEmbeddingMode } from "./embedding-mode.js";
import { describeModel, type StandInModel, withTag } from "./models.js";

/** An injected HTTP failure: the next `times` requests get `status`, then the endpoint works again. */
export interface StandInStatusFailure {
  /** HTTP status to answer with, e.g. 500 or 503. */
  status: number;
  /** How many requests fail before the endpoint recovers. */
  times: number;
}

/** Failures to inject; counters go down as they fire. */
export interface StandInFailures {
  /** Fail `/api/embed` (and `/api/embeddings`). */
  embed?: StandInStatusFailure;
  /** Fail `/api/chat` and `/api/generate`. */
  chat?: StandInStatusFailure;
  /** Fail `/v1/rerank`. */
  rerank?: StandInStatusFailure;
  /** Close the connection without answering the next `times` requests to `path` (e.g. `/api/embed`). */
  dropConnection?: { path: string; times: number };
}

/** Options of `startStandInOllama`; all but `port` and `host` can be changed later with `setOptions`. */
export interface StandInOllamaOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Installed models. Default `["bge-m3", "qwen2.5:7b"]`; names without a tag get `:latest`. */
  models?: string[];
  /** Length of the vectors `/api/embed` returns and `/api/show` reports. Default 1024. */
  embeddingDimension?: number;
  /**
   * How embedding models embed, unless their name contains `anisotropic` (those always use the anisotropic
   * mode). Default `lexical`.
   */
  embeddingMode?: StandInEmbeddingMode;
  /** Delay before answering any request, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Extra delay before answering `/v1/rerank`, in milliseconds, to test a slow reranker. Default 0. */
  rerankLatencyMs?: number;
  /** Delay between streamed chunks (chat tokens, pull progress), in milliseconds. Default 0. */
  tokenDelayMs?: number;
  /** Failures to inject. */
  failures?: StandInFailures;
  /** Refuse everything: `true` answers 503, `"close"` closes each connection without answering. */
  unavailable?: boolean | "close";
}

/** The options that `setOptions` can change. */
export type StandInMutableOptions = Omit<StandInOllamaOptions, "port" | "host">;

/** The stand-in's current settings and installed models. */
export interface StandInState {
  models: Map<string, StandInModel>;
  embeddingDimension: number;
  embeddingMode: StandInEmbeddingMode;
  latencyMs: number;
  rerankLatencyMs: number;
  tokenDelayMs: number;
  failures: StandInFailures;
  unavailable: boolean | "close";
}

/** Applies the options that are set to `state`; failures are copied so their counters do not leak back. */
export function applyOptions(state: StandInState, options: StandInMutableOptions): void {
  if (options.models)
    state.models = new Map(options.models.map((name) => [withTag(name), describeModel(name)]));
  if (options.embeddingDimension !== undefined) state.embeddingDimension = options.embeddingDimension;
  if (options.embeddingMode !== undefined) state.embeddingMode = options.embeddingMode;
  if (options.latencyMs !== undefined) state.latencyMs = options.latencyMs;
  if (options.rerankLatencyMs !== undefined) state.rerankLatencyMs = options.rerankLatencyMs;
  if (options.tokenDelayMs !== undefined) state.tokenDelayMs = options.tokenDelayMs;
  if (options.failures !== undefined) state.failures = structuredClone(options.failures);
  if (options.unavailable !== undefined) state.unavailable = options.unavailable;
}

/** The state of a new stand-in: the defaults, then `options`. */
export function createState(options: StandInMutableOptions): StandInState {
  const state: StandInState = {
    models: new Map(),
    embeddingDimension: 1024,
    embeddingMode: "lexical",
    latencyMs: 0,
    rerankLatencyMs: 0,
    tokenDelayMs: 0,
    failures: {},
    unavailable: false,
  };
  applyOptions(state, { ...options, models: options.models ?? ["bge-m3", "qwen2.5:7b"] });
  return state;
}

/** Takes one failure from a counter, if any is left. */
export function takeFailure(failure: { times: number } | undefined): boolean {
  if (!failure || failure.times <= 0) return false;
  failure.times--;
  return true;
}
