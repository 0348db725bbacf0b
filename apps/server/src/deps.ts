import type { KnowledgeBase } from "@zhiku/ingest";
import type { LoginThrottle } from "./auth/login-throttle.js";
import type { ServerConfig } from "./env.js";
import type { Logger } from "./logger.js";
import type { DocumentEventBus } from "./services/jobs/document-events.js";
import type { JobQueue } from "./services/jobs/job-queue.js";
import type { ServerMetrics } from "./services/metrics/index.js";
import type { OllamaAccess } from "./services/ollama.js";

/** Everything the HTTP app needs, passed in so tests can build it on a temp data dir and a stand-in Ollama. */
export interface AppDeps {
  /** Configuration parsed from the environment. */
  config: ServerConfig;
  /** The open knowledge base (SQLite + LanceDB + file store); `kb.db` also holds the server's tables. */
  kb: KnowledgeBase;
  /** How to reach Ollama. */
  ollama: OllamaAccess;
  /** The background ingestion queue. */
  jobs: JobQueue;
  /** Per-workspace document progress, feeding the SSE endpoint. */
  events: DocumentEventBus;
  /** Aborted when the server shuts down: long-lived streams (SSE, chat) end when it fires. */
  shutdownSignal: AbortSignal;
  /** Prometheus metrics on their own registry (`GET /api/metrics`); each app or test builds its own. */
  metrics: ServerMetrics;
  /** Structured logger; silent when omitted. */
  logger?: Logger;
  /** Built web client to serve (static files, SPA fallback); not served when omitted. */
  webRoot?: string;
  /** Seconds between SSE keep-alive comments. Default 15. */
  keepAliveSeconds?: number;
  /** How long fetching a page for `POST .../documents/url` may take, in ms. Default 20 000. */
  urlFetchTimeoutMs?: number;
  /** Counts failed logins; a default one (5 per account, 20 per address in 15 minutes) when omitted. */
  loginThrottle?: LoginThrottle;
}
