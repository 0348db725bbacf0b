import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { AccountStore } from "../auth/index.js";
import { createTestServer, readEvents, type TestServer } from "../testing/test-server.js";

const site = "https://docs.example.com";

describe("widget keys and the widget's public endpoints", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer();
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "backup.md",
      bytes: new TextEncoder().encode(
        "# Backups\n\nThe data directory is backed up every night at two and kept for thirty days.\n",
      ),
    });
    await server.deps.kb.ingest({
      workspace: "secret",
      name: "plans.md",
      bytes: new TextEncoder().encode("# Plans\n\nThe launch budget is three million.\n"),
    });
  });

  afterEach(async () => {
    await server.close();
  });

  async function createKey(requestsPerMinute = 5): Promise<{ id: string; key: string }> {
    const response = await server.admin.request("/api/workspaces/docs/widget-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "docs site", allowedOrigins: [site], requestsPerMinute }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { widgetKey: { id: string; key: string } }).widgetKey;
  }

  const widget = (path: string, init: RequestInit & { origin?: string | null } = {}) => {
    const { origin = site, ...rest } = init;
    return server.app.request(path, {
      ...rest,
      headers: { "content-type": "text/plain", ...(origin ? { origin } : {}) },
    });
  };

  it("lets only owners create keys, validates origins, lists them and audits creation and revocation", async () => {
    const viewer = await server.createUser();
    new AccountStore(server.deps.kb.db).setMember({
      workspaceId: server.deps.kb.requireWorkspace("docs").id,
      userId: viewer.user.id,
      role: "viewer",
    });
    const refused = await viewer.request("/api/workspaces/docs/widget-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "mine", allowedOrigins: [site] }),
    });
    expect(refused.status).toBe(403);
    const badOrigin = await server.admin.request("/api/workspaces/docs/widget-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "x", allowedOrigins: ["https://docs.example.com/path"] }),
    });
    expect(badOrigin.status).toBe(400);
    expect(await badOrigin.json()).toMatchObject({ error: { code: "invalid:allowedOrigins.0" } });

    const { id, key } = await createKey();
    expect(key).toMatch(/^zw_/);
    const listed = (await (await server.admin.request("/api/workspaces/docs/widget-keys")).json()) as {
      widgetKeys: {
        id: string;
        allowedOrigins: string[];
        requestsPerMinute: number;
        revokedAt: string | null;
      }[];
    };
    expect(listed.widgetKeys).toEqual([
      expect.objectContaining({ id, allowedOrigins: [site], requestsPerMinute: 5, revokedAt: null }),
    ]);
    expect(
      (await server.admin.request(`/api/workspaces/docs/widget-keys/${id}`, { method: "DELETE" })).status,
    ).toBe(204);
    const config = await widget(`/widget/v1/${key}/config`);
    expect(config.status).toBe(401);
    expect(await config.json()).toMatchObject({ error: { code: "unauthorized:widget_key" } });
    const audit = (await (await server.admin.request("/api/audit")).json()) as {
      events: { action: string }[];
    };
    const actions = audit.events.map((event) => event.action);
    expect(actions).toContain("widget_key.created");
    expect(actions).toContain("widget_key.revoked");
  });

  it("answers pages of an allowed origin with CORS headers, and refuses other origins", async () => {
    const { key } = await createKey();
    const config = await widget(`/widget/v1/${key}/config`);
    expect(config.status).toBe(200);
    expect(config.headers.get("access-control-allow-origin")).toBe(site);
    expect(config.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(await config.json()).toEqual({ workspace: "docs" });

    for (const origin of ["https://evil.example.com", null]) {
      const refused = await widget(`/widget/v1/${key}/ask`, {
        method: "POST",
        origin,
        body: JSON.stringify({ question: "When are backups made?" }),
      });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ error: { code: "forbidden:origin" } });
    }
  });

  it("streams a query-mode answer with sources, serves the cited passage and no other workspace's", async () => {
    const { key } = await createKey();
    const response = await widget(`/widget/v1/${key}/ask`, {
      method: "POST",
      body: JSON.stringify({ question: "When is the data directory backed up?" }),
    });
    expect(response.status).toBe(200);
    const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
    expect(events.map((event) => event.event)).toEqual(expect.arrayContaining(["sources", "token", "done"]));
    const sources = JSON.parse(events.find((event) => event.event === "sources")?.data ?? "{}") as {
      sources: { index: number; chunkId: string; documentName: string; score?: number }[];
    };
    expect(sources.sources[0]).toMatchObject({ index: 1, documentName: "backup.md" });
    expect(sources.sources[0]).not.toHaveProperty("score");
    // Nothing is stored for an anonymous visitor.
    expect(server.deps.kb.db.prepare("SELECT COUNT(*) AS n FROM threads").get()).toEqual({ n: 0 });

    const chunkId = sources.sources[0]?.chunkId ?? "";
    const passage = await widget(`/widget/v1/${key}/passages/${encodeURIComponent(chunkId)}`);
    expect(passage.status).toBe(200);
    expect(await passage.json()).toMatchObject({ documentName: "backup.md", headings: ["Backups"] });

    const secret = await server.deps.kb.search({ workspace: "secret", query: "budget", mode: "fulltext" });
    const foreign = await widget(
      `/widget/v1/${key}/passages/${encodeURIComponent(secret.results[0]?.chunkId ?? "")}`,
    );
    expect(foreign.status).toBe(404);
  });

  it("limits each visitor to the key's rate and says when to retry", async () => {
    const { key } = await createKey(1);
    const ask = () =>
      widget(`/widget/v1/${key}/search`, { method: "POST", body: JSON.stringify({ query: "backup" }) });
    expect((await ask()).status).toBe(200);
    const limited = await ask();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(await limited.json()).toMatchObject({ error: { code: "too_many:widget_requests" } });
  });
});
