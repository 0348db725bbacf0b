import { knowledgeBaseOptionsFrom, openKnowledgeBase } from "@zhiku/ingest";
import { Registry } from "prom-client";
import { createAuthParts } from "./auth/index.js";
import type { LoginThrottle } from "./auth/login-throttle.js";
import { BotAnswerer } from "./bots/bot-answerer.js";
import { IntegrationStore } from "./bots/integration-store.js";
import { migrateServerDatabase } from "./db/migrations.js";
import type { AppDeps } from "./deps.js";
import type { ServerConfig } from "./env.js";
import type { Logger } from "./logger.js";
import { createChatParts } from "./services/chat/chat-parts.js";
import { DocumentEventBus } from "./services/jobs/document-events.js";
import { JobQueue } from "./services/jobs/job-queue.js";
import { createWorkerPoolRunner } from "./services/jobs/worker-pool.js";
import { createServerMetrics } from "./services/metrics/index.js";
import { createOllamaAccess, createOllamaStatusMonitor } from "./services/ollama.js";
import { rerankerLog } from "./services/reranker-log.js";
import { openSecretKey, SecretBox } from "./services/secrets/secret-box.js";
import { SourceService } from "./services/sources/index.js";
import { WorkspaceDeletion } from "./services/workspaces/workspace-deletion.js";
import { VisitorRateLimit } from "./widget/visitor-rate-limit.js";
import { WidgetKeyStore } from "./widget/widget-key-store.js";

/** Options for {@link openAppDeps}. */
export interface OpenAppDepsOptions {
  /** Parsed configuration; `dataDir` should be absolute (worker threads open it too). */
  config: ServerConfig;
  logger: Logger;
  /** Collect Node process metrics (the real server; tests leave them out). */
  processMetrics?: boolean;
  /** Job attempts before giving up (the queue's default when omitted). */
  maxAttempts?: number;
  /** Backoff between job attempts (the queue's default when omitted). */
  retryDelayMs?: (attempt: number) => number;
  /** Further app dependencies (web root, timeouts). */
  extra?: Partial<Pick<AppDeps, "webRoot" | "keepAliveSeconds" | "urlFetchTimeoutMs">>;
  /** How often the source scheduler ticks and how long a watched folder must be quiet (defaults when omitted). */
  sourceTiming?: { tickMs?: number; watchDebounceMs?: number };
  /** Counts failed logins; a default one (5 per account, 20 per address in 15 minutes) when omitted. */
  loginThrottle?: LoginThrottle;
}

/** What {@link openAppDeps} opened, with the switch that ends streams on shutdown. */
export interface OpenedAppDeps {
  deps: AppDeps;
  /** Aborting it ends SSE and chat streams (its signal is `deps.shutdownSignal`). */
  shutdown: AbortController;
  /** Versions of the server's migrations applied now. */
  appliedMigrations: number[];
}

/**
 * Opens everything the app depends on, as the server runs it: the knowledge base in `DATA_DIR` with the server's
 * migrations (and the reranker, whose outages are logged), the document event bus, metrics, the job queue with its
 * worker threads (not started), and the auth, chat and workspace services every route of the app shares.
 * Shared by the server and the test server so tests build exactly what runs.
 */
export async function openAppDeps(options: OpenAppDepsOptions): Promise<OpenedAppDeps> {
  const { config, logger } = options;
  const kb = await openKnowledgeBase(
    knowledgeBaseOptionsFrom(
      config,
      config.rerank ? { rerankerWatch: rerankerLog(logger, config.rerank) } : {},
    ),
  );
  const appliedMigrations = migrateServerDatabase(kb.db);
  const events = new DocumentEventBus();
  const metrics = createServerMetrics({
    registry: new Registry(),
    queueDepth: () => jobs.store.countUnfinished(),
    documentCounts: () => kb.countDocumentsByStatus(),
    processMetrics: options.processMetrics ?? false,
  });
  const jobs = new JobQueue({
    kb,
    events,
    logger,
    onJobFinished: (outcome) => metrics.recordIngestion(outcome),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    ...(options.retryDelayMs === undefined ? {} : { retryDelayMs: options.retryDelayMs }),
    createRunner: createWorkerPoolRunner({
      size: config.ingestWorkers,
      workerData: {
        dataDir: config.dataDir,
        ollamaHost: config.ollamaHost,
        embedModel: config.embedModel,
        maxBytes: config.maxUploadBytes,
        ...(config.ocrLanguages === undefined ? {} : { ocrLanguages: config.ocrLanguages }),
        ...(config.ingestWorkerHeapMb === undefined ? {} : { parseHeapMb: config.ingestWorkerHeapMb }),
        ...(config.ingestStallTimeoutSeconds === undefined
          ? {}
          : { stallTimeoutMs: config.ingestStallTimeoutSeconds * 1000 }),
      },
      logger,
    }),
  });
  const shutdown = new AbortController();
  const auth = createAuthParts({
    kb,
    ...(options.loginThrottle === undefined ? {} : { throttle: options.loginThrottle }),
  });
  const chat = createChatParts({
    kb,
    ollamaHost: config.ollamaHost,
    chatModel: config.chatModel,
    metrics,
    shutdownSignal: shutdown.signal,
  });
  const widgets = { keys: new WidgetKeyStore(kb.db), rateLimit: new VisitorRateLimit() };
  const integrations = new IntegrationStore({
    db: kb.db,
    box: new SecretBox(await openSecretKey({ secretKey: config.secretKey, dataDir: config.dataDir })),
  });
  const bots = {
    integrations,
    answerer: new BotAnswerer({
      kb,
      chat: chat.chat,
      integrations,
      audit: auth.audit,
      logger,
      publicUrl: config.publicUrl,
      shutdownSignal: shutdown.signal,
      editIntervalMs: config.botEditIntervalMs,
    }),
  };
  const sources = new SourceService({
    kb,
    jobs,
    logger,
    dataDir: config.dataDir,
    folderRoots: config.sourceFolderRoots,
    urlAllowlist: config.urlAllowlist,
    maxBytes: config.maxUploadBytes,
    ...(options.extra?.urlFetchTimeoutMs === undefined
      ? {}
      : { fetchTimeoutMs: options.extra.urlFetchTimeoutMs }),
    ...options.sourceTiming,
  });
  const ollama = createOllamaAccess(config.ollamaHost);
  const deps: AppDeps = {
    config,
    kb,
    ollama,
    ollamaStatus: createOllamaStatusMonitor({
      ollama,
      chatModel: config.chatModel,
      embedModel: config.embedModel,
    }),
    jobs,
    events,
    auth,
    chat,
    widgets,
    bots,
    sources,
    workspaceDeletion: new WorkspaceDeletion({
      kb,
      jobs,
      threads: chat.threads,
      accounts: auth.accounts,
      widgetKeys: widgets.keys,
      integrations,
      sources,
      logger,
    }),
    shutdownSignal: shutdown.signal,
    metrics,
    logger,
    ...options.extra,
  };
  return { deps, shutdown, appliedMigrations };
}
