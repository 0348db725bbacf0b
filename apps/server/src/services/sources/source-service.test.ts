import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createLogger } from "../../logger.js";
import { htmlPage, type LoopbackSite, startLoopbackSite } from "../../testing/loopback-site.js";
import { createTestServer, type TestServer } from "../../testing/test-server.js";
import { SourceService } from "./source-service.js";

/** Resolves once `check` returns true, checking again after each short pause. */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 20));
}

describe("the source service", () => {
  let server: TestServer;
  let site: LoopbackSite;

  beforeAll(async () => {
    site = await startLoopbackSite({
      "/robots.txt": { body: "", type: "text/plain" },
      "/": htmlPage("Harbour", "The harbour opens at dawn."),
    });
    server = await createTestServer({
      environment: { URL_ALLOWLIST: "127.0.0.1" },
      sourceTiming: { tickMs: 20 },
    });
  });

  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  it("syncs a source by itself when its interval is due, and not one synced only on demand", async () => {
    const workspace = server.deps.kb.createWorkspace({ name: "Scheduled", slug: "scheduled" });
    const scheduled = await server.deps.sources.create({
      workspace,
      spec: { kind: "website", config: { url: `${site.origin}/`, maxDepth: 0, maxPages: 1 } },
      name: "scheduled",
      intervalMinutes: 60,
      createdBy: null,
    });
    const manual = await server.deps.sources.create({
      workspace,
      spec: { kind: "website", config: { url: `${site.origin}/`, maxDepth: 0, maxPages: 1 } },
      name: "manual",
      intervalMinutes: 0,
      createdBy: null,
    });
    await until(() => server.deps.sources.store.get(scheduled.id)?.lastSync?.status === "done");
    expect(server.deps.sources.store.get(scheduled.id)?.lastSync).toMatchObject({ added: 1 });
    expect(server.deps.sources.store.get(manual.id)?.lastSync).toBeNull();
  });

  it("ends a sync a stopped process left running as failed, saying so", async () => {
    const workspace = server.deps.kb.createWorkspace({ name: "Interrupted", slug: "interrupted" });
    const source = await server.deps.sources.create({
      workspace,
      spec: { kind: "website", config: { url: `${site.origin}/`, maxDepth: 0, maxPages: 1 } },
      intervalMinutes: 0,
      createdBy: null,
    });
    server.deps.sources.store.markSyncStarted(source.id, new Date());
    const restarted = new SourceService({
      kb: server.deps.kb,
      jobs: server.deps.jobs,
      logger: createLogger("silent"),
      dataDir: server.dataDir,
      folderRoots: [],
      urlAllowlist: [],
      maxBytes: 1024 * 1024,
    });
    await restarted.start();
    await restarted.close();
    expect(server.deps.sources.store.get(source.id)?.lastSync).toMatchObject({
      status: "failed",
      error: "The server stopped during the sync",
    });
  });

  it("goes with its workspace", async () => {
    const workspace = server.deps.kb.createWorkspace({ name: "Doomed", slug: "doomed" });
    const source = await server.deps.sources.create({
      workspace,
      spec: { kind: "website", config: { url: `${site.origin}/`, maxDepth: 0, maxPages: 1 } },
      intervalMinutes: 0,
      createdBy: null,
    });
    server.deps.sources.startSync(source);
    await server.deps.sources.whenSynced(source.id);
    expect(server.deps.sources.store.countDocuments(source.id)).toBe(1);
    const response = await server.request("/api/workspaces/doomed", { method: "DELETE" });
    expect(response.status).toBe(204);
    expect(server.deps.sources.store.get(source.id)).toBeUndefined();
    expect(server.deps.sources.store.countDocuments(source.id)).toBe(0);
  });
});
