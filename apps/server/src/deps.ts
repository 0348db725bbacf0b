import type { KnowledgeBase } from "@zhiku/ingest";
import type { AuthParts } from "./auth/index.js";
import type { BotAnswerer } from "./bots/bot-answerer.js";
import type { IntegrationStore } from "./bots/integration-store.js";
import type { ServerConfig } from "./env.js";
import type { Logger } from "./logger.js";
import type { ChatParts } from "./services/chat/chat-parts.js";
import type { DocumentEventBus } from "./services/jobs/document-events.js";
import type { JobQueue } from "./services/jobs/job-queue.js";
import type { ServerMetrics } from "./services/metrics/index.js";
import type { OllamaAccess, OllamaStatusMonitor } from "./services/ollama.js";
import type { SourceService } from "./services/sources/index.js";
import type { WorkspaceDeletion } from "./services/workspaces/workspace-deletion.js";
import type { VisitorRateLimit } from "./widget/visitor-rate-limit.js";
import type { WidgetKeyStore } from "./widget/widget-key-store.js";

/**
 * Everything the HTTP app needs, built before `createApp` (see `openAppDeps`) so every route of one app shares the
 * same services, and tests can build it on a temp data dir and a stand-in Ollama.
 */
export interface AppDeps {
  /** Configuration parsed from the environment. */
  config: ServerConfig;
  /** The open knowledge base (SQLite + LanceDB + file store); `kb.db` also holds the server's tables. */
  kb: KnowledgeBase;
  /** How to reach Ollama. */
  ollama: OllamaAccess;
  /** Ollama's latest status for `/api/health`, asked for at most once at a time. */
  ollamaStatus: OllamaStatusMonitor;
  /** The background ingestion queue. */
  jobs: JobQueue;
  /** Per-workspace document progress, feeding the SSE endpoint. */
  events: DocumentEventBus;
  /** Accounts, permissions, the audit log and the login throttle. */
  auth: AuthParts;
  /** The chat service, the thread store and the chats in progress. */
  chat: ChatParts;
  /** The embeddable widget's keys and the per-visitor rate limit of its public routes. */
  widgets: { keys: WidgetKeyStore; rateLimit: VisitorRateLimit };
  /** The chat bots connected to workspaces (credentials encrypted at rest) and the service that answers through them. */
  bots: { integrations: IntegrationStore; answerer: BotAnswerer };
  /** Folders, websites and Git repositories kept in sync with workspaces, with their schedule and watchers. */
  sources: SourceService;
  /** Deletes workspaces with everything of them. */
  workspaceDeletion: WorkspaceDeletion;
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
}
