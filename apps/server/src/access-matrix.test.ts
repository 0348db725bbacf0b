import { randomBytes } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { WorkspaceRecord } from "@zhiku/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { csrfHeaderName, sessionCookieName } from "./auth/index.js";
import { createTestServer, filesForm, type TestServer, type TestUser } from "./testing/test-server.js";

/**
 * Every route of the app × every kind of caller. The routes come from the app's router, so a route added without an
 * entry here fails the test; each entry says what each caller must get: 2xx (`ok`, 409 conflicts included where the
 * permission check passed but the document state does not allow the action), 401, 403, or 404 (a workspace or thread
 * the caller may not see answers as a missing one).
 */

const roles = [
  "anonymous",
  "admin",
  "noAccess",
  "viewer",
  "editor",
  "owner",
  "keyOther",
  "revokedKey",
  "forgedKey",
] as const;
type Role = (typeof roles)[number];
type Expectation = "ok" | "unauthorized" | "forbidden" | "hidden" | "conflict";

/** Roles that carry no valid credentials. */
const unauthenticated = new Set<Role>(["anonymous", "revokedKey", "forgedKey"]);

const everyone = (): Expectation => "ok";
const authenticated =
  (rule: (role: Role) => Expectation) =>
  (role: Role): Expectation =>
    unauthenticated.has(role) ? "unauthorized" : rule(role);
const anyUser = authenticated(() => "ok");
/** Account management a workspace-limited key may not do (its owner, `owner`, is a member). */
const unlimitedOnly = authenticated((role) => (role === "keyOther" ? "forbidden" : "ok"));
const adminOnly = authenticated((role) => (role === "admin" ? "ok" : "forbidden"));
const inWorkspace = (minimum: "viewer" | "editor" | "owner") =>
  authenticated((role) => {
    if (role === "admin" || role === "owner") return "ok";
    if (role === "noAccess" || role === "keyOther") return "hidden";
    if (role === "viewer") return minimum === "viewer" ? "ok" : "forbidden";
    return minimum === "owner" ? "forbidden" : "ok";
  });
/**
 * A thread the viewer started: theirs and the admin's to see, nobody else's; other members of the workspace are told
 * it is someone else's (403), everyone else gets a missing thread.
 */
const viewersThread = authenticated((role) => {
  if (role === "admin" || role === "viewer") return "ok";
  return role === "noAccess" || role === "keyOther" ? "hidden" : "forbidden";
});

interface Cell {
  role: Role;
  user: TestUser | undefined;
}

interface RouteCase {
  expect: (role: Role) => Expectation;
  /** The request for one cell; may create fresh resources so destructive routes can succeed for every role. */
  request: (
    cell: Cell,
  ) => Promise<{ path: string; init?: RequestInit }> | { path: string; init?: RequestInit };
}

/** The page origin the matrix's widget key allows. */
const widgetOrigin = "https://site.example";
/** A widget request from that page: the widget ignores accounts, so every role gets the same answer. */
const fromWidgetPage = (method: string, body?: unknown): RequestInit => ({
  method,
  headers: { origin: widgetOrigin, "content-type": "text/plain" },
  ...(body === undefined ? {} : { body: JSON.stringify(body) }),
});

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

describe("access matrix: every route × every role", () => {
  let server: TestServer;
  let site: Server;
  let siteUrl: string;
  const users = {} as Record<"noAccess" | "viewer" | "editor" | "owner", TestUser>;
  let spare: TestUser;
  let workspace: WorkspaceRecord;
  let documentId: string;
  let keyOther: string;
  let revokedKey: string;
  let widgetKey: string;
  let widgetChunkId: string;
  let counter = 0;
  const unique = (prefix: string) => {
    counter += 1;
    return `${prefix}-${counter}`;
  };

  const shareWithAll = (target: WorkspaceRecord) => {
    const { accounts } = server.deps.auth;
    accounts.setMember({ workspaceId: target.id, userId: users.owner.user.id, role: "owner" });
    accounts.setMember({ workspaceId: target.id, userId: users.editor.user.id, role: "editor" });
    accounts.setMember({ workspaceId: target.id, userId: users.viewer.user.id, role: "viewer" });
  };

  const freshDocument = async () => {
    const result = await server.deps.kb.ingest({
      workspace: "w",
      name: `${unique("doc")}.md`,
      bytes: new TextEncoder().encode("# Tides\n\nHigh tide is at noon."),
    });
    return result.document.id;
  };

  /** A bot of workspace w with credentials nobody in the matrix signs with. */
  const freshIntegration = (platform: "slack" | "feishu" | "dingtalk" | "wecom") => {
    const fields: Record<string, { settings: Record<string, string>; secrets: Record<string, string> }> = {
      slack: { settings: {}, secrets: { botToken: "xoxb-1", signingSecret: "signing" } },
      feishu: {
        settings: { appId: "cli_1" },
        secrets: { appSecret: "a", verificationToken: "t", encryptKey: "k" },
      },
      dingtalk: { settings: {}, secrets: { appSecret: "a" } },
      wecom: {
        settings: { corpId: "ww1", agentId: "1000002" },
        secrets: {
          corpSecret: "c",
          token: "t",
          encodingAesKey: randomBytes(32).toString("base64").slice(0, 43),
        },
      },
    };
    return server.deps.bots.integrations.create({
      workspaceId: workspace.id,
      platform,
      name: unique("bot"),
      mode: "query",
      settings: fields[platform]?.settings ?? {},
      secrets: fields[platform]?.secrets ?? {},
      createdBy: null,
    }).id;
  };

  /** A website source of workspace w on the matrix's loopback site. */
  const freshSource = async () =>
    (
      await server.deps.sources.create({
        workspace,
        spec: { kind: "website", config: { url: siteUrl, maxDepth: 0, maxPages: 1 } },
        name: unique("site"),
        intervalMinutes: 0,
        createdBy: null,
      })
    ).id;

  const freshThread = () =>
    server.deps.chat.threads.saveExchange({
      workspaceId: workspace.id,
      userId: users.viewer.user.id,
      title: "Tides",
      question: "When is high tide?",
      answer: "At noon [1].",
      sources: [],
    });

  beforeAll(async () => {
    site = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        "<html><body><article><h1>Tides</h1><p>High tide is at noon on Sundays.</p></article></body></html>",
      );
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/page`;
    server = await createTestServer({ environment: { URL_ALLOWLIST: "127.0.0.1" } });
    for (const name of ["noAccess", "viewer", "editor", "owner"] as const) {
      users[name] = await server.createUser({ email: `${name.toLowerCase()}@example.com` });
    }
    spare = await server.createUser({ email: "spare@example.com" });
    workspace = server.deps.kb.createWorkspace({ name: "W", slug: "w" });
    shareWithAll(workspace);
    const other = server.deps.kb.createWorkspace({ name: "Other", slug: "other" });
    const { accounts } = server.deps.auth;
    accounts.setMember({ workspaceId: other.id, userId: users.owner.user.id, role: "owner" });
    keyOther = accounts.createApiKey({
      userId: users.owner.user.id,
      name: "other only",
      workspaceId: other.id,
    }).key;
    const revoked = accounts.createApiKey({
      userId: users.owner.user.id,
      name: "revoked",
      workspaceId: null,
    });
    accounts.revokeApiKey(users.owner.user.id, revoked.apiKey.id);
    revokedKey = revoked.key;
    documentId = await freshDocument();
    widgetKey = server.deps.widgets.keys.create({
      workspaceId: workspace.id,
      name: "site",
      allowedOrigins: [widgetOrigin],
      requestsPerMinute: 10_000,
      createdBy: null,
    }).key;
    widgetChunkId = (await server.deps.kb.listChunks("w", documentId))[0]!.chunkId;
  });

  afterAll(async () => {
    await server?.close();
    await new Promise((resolve) => site?.close(resolve));
  });

  const routes: Record<string, RouteCase> = {
    "GET /api/health": { expect: everyone, request: () => ({ path: "/api/health" }) },
    "GET /api/openapi.json": { expect: everyone, request: () => ({ path: "/api/openapi.json" }) },
    "GET /api/docs": { expect: everyone, request: () => ({ path: "/api/docs" }) },
    "GET /api/docs/api-reference.js": {
      expect: everyone,
      request: () => ({ path: "/api/docs/api-reference.js" }),
    },
    "GET /api/auth/status": { expect: everyone, request: () => ({ path: "/api/auth/status" }) },
    "POST /api/auth/setup": {
      expect: () => "conflict",
      request: () => ({
        path: "/api/auth/setup",
        init: json("POST", { email: "x@example.com", password: "long-enough" }),
      }),
    },
    "POST /api/auth/login": {
      expect: everyone,
      request: () => ({
        path: "/api/auth/login",
        init: json("POST", { email: users.viewer.user.email, password: users.viewer.password }),
      }),
    },
    "POST /api/auth/logout": {
      expect: anyUser,
      request: () => ({ path: "/api/auth/logout", init: { method: "POST" } }),
    },
    "GET /api/auth/me": { expect: anyUser, request: () => ({ path: "/api/auth/me" }) },
    "POST /api/auth/password": {
      expect: unlimitedOnly,
      request: ({ user }) => ({
        path: "/api/auth/password",
        init: json("POST", {
          currentPassword: user?.password ?? "x",
          newPassword: user?.password ?? "xxxxxxxx",
        }),
      }),
    },
    "GET /api/users": { expect: adminOnly, request: () => ({ path: "/api/users" }) },
    "POST /api/users": {
      expect: adminOnly,
      request: () => ({
        path: "/api/users",
        init: json("POST", {
          email: `${unique("new")}@example.com`,
          password: "long-enough",
          role: "member",
        }),
      }),
    },
    "PATCH /api/users/:id": {
      expect: adminOnly,
      request: async () => {
        const target = await server.createUser();
        return { path: `/api/users/${target.user.id}`, init: json("PATCH", { role: "member" }) };
      },
    },
    "DELETE /api/users/:id": {
      expect: adminOnly,
      request: async () => {
        const target = await server.createUser();
        return { path: `/api/users/${target.user.id}`, init: { method: "DELETE" } };
      },
    },
    "GET /api/users/:id/api-keys": {
      expect: adminOnly,
      request: () => ({ path: `/api/users/${users.viewer.user.id}/api-keys` }),
    },
    "GET /api/api-keys": { expect: unlimitedOnly, request: () => ({ path: "/api/api-keys" }) },
    "POST /api/api-keys": {
      expect: unlimitedOnly,
      request: () => ({ path: "/api/api-keys", init: json("POST", { name: "script" }) }),
    },
    "DELETE /api/api-keys/:id": {
      expect: unlimitedOnly,
      request: ({ user }) => {
        const owner = user ?? users.viewer;
        const { apiKey } = server.deps.auth.accounts.createApiKey({
          userId: owner.user.id,
          name: "to revoke",
          workspaceId: null,
        });
        return { path: `/api/api-keys/${apiKey.id}`, init: { method: "DELETE" } };
      },
    },
    "GET /api/audit": { expect: adminOnly, request: () => ({ path: "/api/audit?limit=5" }) },
    "GET /api/metrics": { expect: adminOnly, request: () => ({ path: "/api/metrics" }) },
    "GET /api/models": { expect: anyUser, request: () => ({ path: "/api/models" }) },
    "POST /api/models/pull": {
      expect: adminOnly,
      request: () => ({ path: "/api/models/pull", init: json("POST", { name: "bge-m3" }) }),
    },
    "GET /api/workspaces": { expect: anyUser, request: () => ({ path: "/api/workspaces" }) },
    "POST /api/workspaces": {
      expect: unlimitedOnly,
      request: () => ({ path: "/api/workspaces", init: json("POST", { name: unique("Created") }) }),
    },
    "GET /api/workspaces/:slug": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: "/api/workspaces/w" }),
    },
    "PATCH /api/workspaces/:slug": {
      expect: inWorkspace("owner"),
      request: () => ({ path: "/api/workspaces/w", init: json("PATCH", { name: "W" }) }),
    },
    "DELETE /api/workspaces/:slug": {
      expect: inWorkspace("owner"),
      request: () => {
        const doomed = server.deps.kb.createWorkspace({ name: "Doomed", slug: unique("doomed") });
        shareWithAll(doomed);
        return { path: `/api/workspaces/${doomed.slug}`, init: { method: "DELETE" } };
      },
    },
    "GET /api/workspaces/:slug/members": {
      expect: inWorkspace("owner"),
      request: () => ({ path: "/api/workspaces/w/members" }),
    },
    "POST /api/workspaces/:slug/members": {
      expect: inWorkspace("owner"),
      request: () => ({
        path: "/api/workspaces/w/members",
        init: json("POST", { email: spare.user.email, role: "viewer" }),
      }),
    },
    "DELETE /api/workspaces/:slug/members/:userId": {
      expect: inWorkspace("owner"),
      request: () => {
        server.deps.auth.accounts.setMember({
          workspaceId: workspace.id,
          userId: spare.user.id,
          role: "viewer",
        });
        return { path: `/api/workspaces/w/members/${spare.user.id}`, init: { method: "DELETE" } };
      },
    },
    "POST /api/workspaces/:slug/documents": {
      expect: inWorkspace("editor"),
      request: () => ({
        path: "/api/workspaces/w/documents",
        init: {
          method: "POST",
          body: filesForm([{ name: `${unique("upload")}.md`, content: "# Up\n\nloaded" }]),
        },
      }),
    },
    "POST /api/workspaces/:slug/documents/url": {
      expect: inWorkspace("editor"),
      request: () => ({
        path: "/api/workspaces/w/documents/url",
        init: json("POST", { url: `${siteUrl}?${unique("v")}` }),
      }),
    },
    "GET /api/workspaces/:slug/documents": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: "/api/workspaces/w/documents" }),
    },
    "GET /api/workspaces/:slug/documents/:id": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: `/api/workspaces/w/documents/${documentId}` }),
    },
    "GET /api/workspaces/:slug/documents/:id/chunks": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: `/api/workspaces/w/documents/${documentId}/chunks` }),
    },
    "GET /api/workspaces/:slug/documents/:id/text": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: `/api/workspaces/w/documents/${documentId}/text` }),
    },
    "GET /api/workspaces/:slug/documents/:id/file": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: `/api/workspaces/w/documents/${documentId}/file` }),
    },
    "POST /api/workspaces/:slug/documents/:id/cancel": {
      expect: inWorkspace("editor"),
      request: () => ({ path: `/api/workspaces/w/documents/${documentId}/cancel`, init: { method: "POST" } }),
    },
    "POST /api/workspaces/:slug/documents/:id/retry": {
      expect: inWorkspace("editor"),
      request: () => ({ path: `/api/workspaces/w/documents/${documentId}/retry`, init: { method: "POST" } }),
    },
    "GET /api/workspaces/:slug/sources": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: "/api/workspaces/w/sources" }),
    },
    "POST /api/workspaces/:slug/sources": {
      expect: inWorkspace("editor"),
      request: () => ({
        path: "/api/workspaces/w/sources",
        init: json("POST", { kind: "website", name: unique("site"), config: { url: siteUrl, maxDepth: 0 } }),
      }),
    },
    "GET /api/workspaces/:slug/sources/:id": {
      expect: inWorkspace("viewer"),
      request: async () => ({ path: `/api/workspaces/w/sources/${await freshSource()}` }),
    },
    "PATCH /api/workspaces/:slug/sources/:id": {
      expect: inWorkspace("editor"),
      request: async () => ({
        path: `/api/workspaces/w/sources/${await freshSource()}`,
        init: json("PATCH", { intervalMinutes: 0 }),
      }),
    },
    "DELETE /api/workspaces/:slug/sources/:id": {
      expect: inWorkspace("editor"),
      request: async () => ({
        path: `/api/workspaces/w/sources/${await freshSource()}`,
        init: { method: "DELETE" },
      }),
    },
    "POST /api/workspaces/:slug/sources/:id/sync": {
      expect: inWorkspace("editor"),
      request: async () => ({
        path: `/api/workspaces/w/sources/${await freshSource()}/sync`,
        init: { method: "POST" },
      }),
    },
    "DELETE /api/workspaces/:slug/documents/:id": {
      expect: inWorkspace("editor"),
      request: async () => ({
        path: `/api/workspaces/w/documents/${await freshDocument()}`,
        init: { method: "DELETE" },
      }),
    },
    "GET /api/workspaces/:slug/events": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: "/api/workspaces/w/events" }),
    },
    "POST /api/workspaces/:slug/search": {
      expect: inWorkspace("viewer"),
      request: () => ({
        path: "/api/workspaces/w/search",
        init: json("POST", { query: "tide", mode: "fulltext" }),
      }),
    },
    "POST /api/workspaces/:slug/chat": {
      expect: inWorkspace("viewer"),
      request: () => ({
        path: "/api/workspaces/w/chat",
        init: json("POST", { message: "When is high tide?" }),
      }),
    },
    "POST /api/workspaces/:slug/chat/stop": {
      expect: inWorkspace("viewer"),
      request: () => ({
        path: "/api/workspaces/w/chat/stop",
        init: json("POST", { requestId: "nothing-in-progress" }),
      }),
    },
    "GET /api/workspaces/:slug/threads": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: "/api/workspaces/w/threads" }),
    },
    "GET /api/threads/:id": {
      expect: viewersThread,
      request: () => ({ path: `/api/threads/${freshThread().threadId}` }),
    },
    "PATCH /api/threads/:id": {
      expect: viewersThread,
      request: () => ({
        path: `/api/threads/${freshThread().threadId}`,
        init: json("PATCH", { title: "Renamed" }),
      }),
    },
    "DELETE /api/threads/:id": {
      expect: viewersThread,
      request: () => ({ path: `/api/threads/${freshThread().threadId}`, init: { method: "DELETE" } }),
    },
    "POST /api/messages/:id/feedback": {
      expect: viewersThread,
      request: () => ({
        path: `/api/messages/${freshThread().assistantMessageId}/feedback`,
        init: json("POST", { rating: "up" }),
      }),
    },
    "GET /v1/models": { expect: anyUser, request: () => ({ path: "/v1/models" }) },
    "GET /v1/models/:model": { expect: inWorkspace("viewer"), request: () => ({ path: "/v1/models/w" }) },
    "POST /v1/chat/completions": {
      expect: inWorkspace("viewer"),
      request: () => ({
        path: "/v1/chat/completions",
        init: json("POST", { model: "w", messages: [{ role: "user", content: "When is high tide?" }] }),
      }),
    },
    "GET /api/workspaces/:slug/widget-keys": {
      expect: inWorkspace("owner"),
      request: () => ({ path: "/api/workspaces/w/widget-keys" }),
    },
    "POST /api/workspaces/:slug/widget-keys": {
      expect: inWorkspace("owner"),
      request: () => ({
        path: "/api/workspaces/w/widget-keys",
        init: json("POST", { name: unique("site"), allowedOrigins: [widgetOrigin], requestsPerMinute: 10 }),
      }),
    },
    "DELETE /api/workspaces/:slug/widget-keys/:id": {
      expect: inWorkspace("owner"),
      request: () => {
        const { id } = server.deps.widgets.keys.create({
          workspaceId: workspace.id,
          name: unique("site"),
          allowedOrigins: [widgetOrigin],
          requestsPerMinute: 10,
          createdBy: null,
        });
        return { path: `/api/workspaces/w/widget-keys/${id}`, init: { method: "DELETE" } };
      },
    },
    "GET /api/workspaces/:slug/integrations": {
      expect: adminOnly,
      request: () => ({ path: "/api/workspaces/w/integrations" }),
    },
    "POST /api/workspaces/:slug/integrations": {
      expect: adminOnly,
      request: () => ({
        path: "/api/workspaces/w/integrations",
        init: json("POST", { platform: "dingtalk", name: unique("bot"), secrets: { appSecret: "s" } }),
      }),
    },
    "PATCH /api/workspaces/:slug/integrations/:id": {
      expect: adminOnly,
      request: () => ({
        path: `/api/workspaces/w/integrations/${freshIntegration("dingtalk")}`,
        init: json("PATCH", { name: unique("bot") }),
      }),
    },
    "DELETE /api/workspaces/:slug/integrations/:id": {
      expect: adminOnly,
      request: () => ({
        path: `/api/workspaces/w/integrations/${freshIntegration("dingtalk")}`,
        init: { method: "DELETE" },
      }),
    },
    // The platforms' callbacks ignore accounts: without the platform's signature everyone is refused.
    "POST /api/integrations/:integrationId/slack/events": {
      expect: () => "unauthorized",
      request: () => ({
        path: `/api/integrations/${freshIntegration("slack")}/slack/events`,
        init: json("POST", { type: "url_verification", challenge: "c" }),
      }),
    },
    "POST /api/integrations/:integrationId/feishu/events": {
      expect: () => "unauthorized",
      request: () => ({
        path: `/api/integrations/${freshIntegration("feishu")}/feishu/events`,
        init: json("POST", { type: "url_verification", challenge: "c", token: "t" }),
      }),
    },
    "POST /api/integrations/:integrationId/dingtalk/events": {
      expect: () => "unauthorized",
      request: () => ({
        path: `/api/integrations/${freshIntegration("dingtalk")}/dingtalk/events`,
        init: json("POST", { msgtype: "text" }),
      }),
    },
    "GET /api/integrations/:integrationId/wecom/callback": {
      expect: () => "unauthorized",
      request: () => ({
        path: `/api/integrations/${freshIntegration("wecom")}/wecom/callback?msg_signature=x&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1&echostr=x`,
      }),
    },
    "POST /api/integrations/:integrationId/wecom/callback": {
      expect: () => "unauthorized",
      request: () => ({
        path: `/api/integrations/${freshIntegration("wecom")}/wecom/callback?msg_signature=x&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1`,
        init: {
          method: "POST",
          headers: { "content-type": "text/xml" },
          body: "<xml><Encrypt>x</Encrypt></xml>",
        },
      }),
    },
    // The test server serves no built web client, so the script is a 404 for everyone.
    "GET /widget.js": { expect: () => "hidden", request: () => ({ path: "/widget.js" }) },
    "GET /widget/v1/:key/config": {
      expect: everyone,
      request: () => ({ path: `/widget/v1/${widgetKey}/config`, init: fromWidgetPage("GET") }),
    },
    "GET /widget/v1/:key/passages/:chunkId": {
      expect: everyone,
      request: () => ({
        path: `/widget/v1/${widgetKey}/passages/${encodeURIComponent(widgetChunkId)}`,
        init: fromWidgetPage("GET"),
      }),
    },
    "POST /widget/v1/:key/ask": {
      expect: everyone,
      request: () => ({
        path: `/widget/v1/${widgetKey}/ask`,
        init: fromWidgetPage("POST", { question: "When is high tide?" }),
      }),
    },
    "POST /widget/v1/:key/search": {
      expect: everyone,
      request: () => ({
        path: `/widget/v1/${widgetKey}/search`,
        init: fromWidgetPage("POST", { query: "high tide" }),
      }),
    },
    "POST /v1/embeddings": {
      expect: inWorkspace("viewer"),
      request: () => ({ path: "/v1/embeddings", init: json("POST", { model: "w", input: "high tide" }) }),
    },
  };

  /** Headers for one cell: a fresh session (cookie and CSRF header) per cell, so logouts and password changes do not leak between cells. */
  const credentials = (role: Role): { user: TestUser | undefined; headers: Record<string, string> } => {
    const { accounts } = server.deps.auth;
    switch (role) {
      case "anonymous":
        return { user: undefined, headers: {} };
      case "keyOther":
        return { user: users.owner, headers: { authorization: `Bearer ${keyOther}` } };
      case "revokedKey":
        return { user: undefined, headers: { authorization: `Bearer ${revokedKey}` } };
      case "forgedKey":
        return {
          user: undefined,
          headers: { authorization: `Bearer zk_${randomBytes(32).toString("base64url")}` },
        };
      default: {
        const user = role === "admin" ? server.admin : users[role];
        const { sessionId } = accounts.createSession(user.user.id);
        return { user, headers: { cookie: `${sessionCookieName}=${sessionId}`, [csrfHeaderName]: "1" } };
      }
    }
  };

  const appRoutes = () => {
    const seen = new Set<string>();
    for (const route of server.app.routes) {
      if (route.method === "ALL") continue;
      seen.add(`${route.method} ${route.path}`);
    }
    return [...seen].sort();
  };

  it("covers every route of the app, and only those", () => {
    const listed = Object.keys(routes).sort();
    const missing = appRoutes().filter((route) => !(route in routes));
    expect(missing, "routes without a row in the access matrix: add one").toEqual([]);
    expect(listed.filter((route) => !appRoutes().includes(route))).toEqual([]);
  });

  it("answers every route × role as the rules say", async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const [route, routeCase] of Object.entries(routes)) {
      for (const role of roles) {
        const { user, headers } = credentials(role);
        const { path, init = {} } = await routeCase.request({ role, user });
        const requestHeaders = new Headers(init.headers);
        for (const [name, value] of Object.entries(headers)) requestHeaders.set(name, value);
        const response = await server.app.request(path, { ...init, headers: requestHeaders });
        const expected = routeCase.expect(role);
        let body: { error?: { code?: string } } = {};
        if (response.headers.get("content-type")?.includes("application/json")) {
          body = (await response.json()) as typeof body;
        } else {
          await response.body?.cancel();
        }
        const code = body.error?.code ?? "";
        const status = response.status;
        const ok =
          expected === "ok"
            ? status < 400 || code.startsWith("conflict:")
            : expected === "conflict"
              ? status === 409
              : expected === "unauthorized"
                ? status === 401
                : expected === "forbidden"
                  ? status === 403
                  : status === 404 && code.startsWith("not_found:");
        cells += 1;
        if (!ok) failures.push(`${route} as ${role}: expected ${expected}, got ${status} ${code}`);
      }
    }
    expect(failures).toEqual([]);
    expect(cells).toBe(Object.keys(routes).length * roles.length);
  });
});
