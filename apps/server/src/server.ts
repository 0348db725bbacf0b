import { mkdir } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { type ServerType, serve } from "@hono/node-server";
import { preloadWordSegmenter } from "@zhiku/ingest";
import { createApp } from "./app.js";
import { ensureAdmin } from "./auth/index.js";
import type { AppDeps } from "./deps.js";
import type { ServerConfig } from "./env.js";
import type { Logger } from "./logger.js";
import { openAppDeps } from "./open-app-deps.js";

/** Options for {@link startServer}. */
export interface StartServerOptions {
  /** The parsed configuration. */
  config: ServerConfig;
  /** Logger for the server and its jobs. */
  logger: Logger;
  /** Built web client to serve, if any. */
  webRoot?: string;
}

/** A listening server. */
export interface RunningServer {
  /** The Node HTTP server. */
  server: ServerType;
  /** The port actually bound (differs from the config when it was 0). */
  port: number;
  /** The dependencies the app was built with. */
  deps: AppDeps;
  /**
   * Graceful stop: no new connections, SSE streams end, source syncs stop, running jobs go back to the queue for the next
   * start, the knowledge base closes.
   */
  close(): Promise<void>;
}

/**
 * Opens the knowledge base in `DATA_DIR`, applies the server's migrations, starts the ingest workers and
 * listens. Unfinished jobs from an earlier run resume. Ollama need not be running.
 */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config, logger } = options;
  const dataDir = resolve(config.dataDir);
  await mkdir(dataDir, { recursive: true });
  const { deps, shutdown, appliedMigrations } = await openAppDeps({
    config: { ...config, dataDir },
    logger,
    processMetrics: true,
    extra: options.webRoot ? { webRoot: options.webRoot } : {},
  });
  const { kb, jobs, events } = deps;
  if (appliedMigrations.length > 0) {
    logger.info({ versions: appliedMigrations }, "Applied server database migrations");
  }
  deps.workspaceDeletion.finishInterrupted();
  // Before listening: loading jieba's dictionary on the first search would hold every request behind it.
  preloadWordSegmenter();
  const app = createApp(deps);
  const { accounts, audit } = deps.auth;
  accounts.pruneSessions();
  try {
    if (config.admin) await ensureAdmin({ accounts, audit, logger, ...config.admin });
    else if (accounts.countUsers() === 0) {
      logger.warn(
        "No account exists yet: the first visitor of the web client creates the admin (or set ADMIN_EMAIL and ADMIN_PASSWORD)",
      );
    }
  } catch (error) {
    await jobs.close();
    await kb.close();
    throw error;
  }

  let server: ServerType;
  try {
    server = await new Promise<ServerType>((resolveServer, reject) => {
      const listening = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () =>
        resolveServer(listening),
      );
      listening.once("error", reject);
    });
  } catch (error) {
    await jobs.close();
    await kb.close();
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      throw new Error(`Port ${config.port} on ${config.host} is in use; stop the other process or set PORT`, {
        cause: error,
      });
    }
    throw error;
  }
  const port = (server.address() as AddressInfo).port;
  // Asked now, so the first health poll (the compose healthcheck, the web client) answers from it, and the log
  // says at once when Ollama or a model is missing.
  void deps.ollamaStatus.current().then((status) => {
    const missing = [status.chatModel, status.embedModel]
      .filter((model) => !model.available)
      .map((model) => model.name);
    if (!status.reachable)
      logger.warn(
        { ollamaHost: config.ollamaHost },
        "Ollama is not reachable; chat and ingestion wait for it",
      );
    else if (missing.length > 0)
      logger.warn(
        { missingModels: missing },
        "Ollama does not have the configured models; download them from the web client's banner or with `ollama pull`",
      );
  });
  jobs.start();
  await deps.sources.start();

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      shutdown.abort();
      events.close();
      const closed = new Promise<void>((resolveClosed) => server.close(() => resolveClosed()));
      if ("closeIdleConnections" in server) server.closeIdleConnections();
      const force = setTimeout(() => {
        if ("closeAllConnections" in server) server.closeAllConnections();
      }, 5_000);
      force.unref();
      await deps.sources.close();
      await jobs.close();
      await closed;
      clearTimeout(force);
      await kb.close();
    })();
    return closing;
  };
  return { server, port, deps, close };
}
