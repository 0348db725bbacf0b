import { existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { serveStatic } from "@hono/node-server/serve-static";
import { Hono } from "hono";
import { secureHeaders } from "hono/secure-headers";
import { openAPIRouteHandler } from "hono-openapi";
import { isApiPath } from "./api-paths.js";
import { authenticate, resolveClient } from "./auth/index.js";
import { createBotRoutes } from "./bots/bot-routes.js";
import { createIntegrationRoutes } from "./bots/integration-routes.js";
import type { AppDeps } from "./deps.js";
import { createErrorHandler, notFoundHandler } from "./errors.js";
import { createLogger } from "./logger.js";
import { createMcpRoutes } from "./mcp/mcp-routes.js";
import { requestLogging } from "./request-logging.js";
import { createApiDocsRoutes } from "./routes/api-docs.js";
import { createApiKeyRoutes } from "./routes/api-keys.js";
import { createAuditRoutes } from "./routes/audit.js";
import { createAuthRoutes } from "./routes/auth.js";
import { limitJsonBodies, maxJsonBodyBytes, widgetBodyBytes } from "./routes/body-limit.js";
import { createChatRoutes } from "./routes/chat.js";
import { createDocumentRoutes } from "./routes/documents.js";
import { createEventRoutes } from "./routes/events.js";
import { createHealthRoutes } from "./routes/health.js";
import { createMetricsRoutes } from "./routes/metrics.js";
import { createModelRoutes } from "./routes/models.js";
import { createOpenAiRoutes } from "./routes/openai.js";
import { createSearchRoutes } from "./routes/search.js";
import { createSourceRoutes } from "./routes/sources.js";
import { createThreadRoutes } from "./routes/threads.js";
import { createUserRoutes } from "./routes/users.js";
import { createWorkspaceRoutes } from "./routes/workspaces.js";
import { createWidgetKeyRoutes } from "./widget/widget-key-routes.js";
import { createWidgetRoutes } from "./widget/widget-routes.js";

/**
 * The Content-Security-Policy of every response: the built web client loads only its own scripts, styles (inline
 * styles allowed: React style props and KaTeX set them), fonts and images (data: and blob: for previews), talks only
 * to its own origin, and may not be framed.
 */
export const contentSecurityPolicy = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", "data:", "blob:"],
  fontSrc: ["'self'", "data:"],
  connectSrc: ["'self'"],
  workerSrc: ["'self'", "blob:"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

export type { AppDeps } from "./deps.js";
/** Wire shapes the route types do not carry (error bodies, event-stream data), for the web client. */
export type { ErrorBody } from "./routes/schemas.js";
export type { DocumentEvent } from "./services/jobs/document-events.js";

/**
 * Builds the HTTP app from its dependencies. Routes are chained so their types flow into {@link AppType}
 * for the web client's `hc<AppType>`.
 */
export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? createLogger("silent");
  const { accounts, permissions, audit } = deps.auth;
  const { keys: widgetKeys, rateLimit } = deps.widgets;
  const app = new Hono()
    .use(requestLogging({ logger, metrics: deps.metrics }))
    // Headers a route sets itself win (the original-file download's `sandbox` policy, the docs page's policy).
    .use(
      secureHeaders({
        contentSecurityPolicy,
        xFrameOptions: "DENY",
        referrerPolicy: "strict-origin-when-cross-origin",
        crossOriginEmbedderPolicy: false,
        overwrite: false,
      }),
    )
    .use(resolveClient({ trustProxy: deps.config.trustProxy }))
    .use(authenticate({ accounts }))
    .use("/api/*", limitJsonBodies(maxJsonBodyBytes))
    .use("/mcp", limitJsonBodies(maxJsonBodyBytes))
    .use("/widget/*", limitJsonBodies(widgetBodyBytes))
    .route("/api", createHealthRoutes(deps))
    .route("/api", createAuthRoutes(deps))
    .route("/api", createUserRoutes(deps))
    .route("/api", createApiKeyRoutes(deps))
    .route("/api", createAuditRoutes(deps))
    .route("/api", createMetricsRoutes(deps))
    .route("/api", createModelRoutes(deps))
    .route("/api", createWorkspaceRoutes(deps))
    .route("/api", createDocumentRoutes(deps))
    .route("/api", createSourceRoutes(deps))
    .route("/api", createEventRoutes(deps))
    .route("/api", createSearchRoutes(deps))
    .route("/api", createChatRoutes(deps))
    .route("/api", createThreadRoutes(deps))
    .route("/api", createWidgetKeyRoutes({ widgetKeys, permissions, audit }))
    .route(
      "/api",
      createIntegrationRoutes({
        integrations: deps.bots.integrations,
        permissions,
        audit,
        publicUrl: deps.config.publicUrl,
      }),
    )
    .route(
      "/api",
      createBotRoutes({
        integrations: deps.bots.integrations,
        answerer: deps.bots.answerer,
        logger,
        now: Date.now,
      }),
    )
    .route("/v1", createOpenAiRoutes(deps))
    .route(
      "/",
      createWidgetRoutes({
        kb: deps.kb,
        chat: deps.chat.chat,
        widgetKeys,
        rateLimit,
        webRoot: deps.webRoot,
        shutdownSignal: deps.shutdownSignal,
      }),
    )
    .route("/", createMcpRoutes({ kb: deps.kb, chat: deps.chat.chat, permissions, version: "0.1.0" }));

  app.get(
    "/api/openapi.json",
    openAPIRouteHandler(app, {
      documentation: {
        info: {
          title: "Zhiku API",
          version: "0.1.0",
          description: 'Every error is `{"error":{"code","message"}}` with a fitting 4xx/5xx status.',
        },
        tags: [
          { name: "System" },
          { name: "Accounts" },
          { name: "Models" },
          { name: "Workspaces" },
          { name: "Documents" },
          { name: "Sources" },
          { name: "Search" },
          { name: "Chat" },
          { name: "Threads" },
          { name: "OpenAI-compatible" },
        ],
      },
      exclude: ["/api/openapi.json", "/api/docs", "/api/docs/api-reference.js", "/api/metrics"],
    }),
  );
  app.route("/api", createApiDocsRoutes());

  const webRoot = deps.webRoot;
  if (webRoot && existsSync(join(webRoot, "index.html"))) {
    app.use("*", async (c, next) => {
      if (isApiPath(c.req.path) || (c.req.method !== "GET" && c.req.method !== "HEAD")) return next();
      return serveStatic({ root: webRoot })(c, next);
    });
    app.get("*", async (c, next) => {
      if (isApiPath(c.req.path)) return next();
      // Single-page app: client-side routes all load index.html.
      return c.html(await readFile(join(webRoot, "index.html"), "utf8"));
    });
  }

  app.notFound(notFoundHandler);
  app.onError(createErrorHandler(logger));
  return app;
}

/** The app's route types, for `hc<AppType>` in the web client. */
export type AppType = ReturnType<typeof createApp>;
