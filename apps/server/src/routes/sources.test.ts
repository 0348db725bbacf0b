import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlPage, type LoopbackSite, startLoopbackSite } from "../testing/loopback-site.js";
import { createTestServer, type TestServer, type TestUser } from "../testing/test-server.js";

interface WireSource {
  id: string;
  name: string;
  kind: string;
  config: Record<string, unknown>;
  intervalMinutes: number;
  documents: number;
  lastSync: { status: string; added: number; updated: number; deleted: number; unchanged: number } | null;
}

describe("sources routes", () => {
  let server: TestServer;
  let site: LoopbackSite;
  let root: string;
  let editor: TestUser;
  let viewer: TestUser;

  const json = (method: string, body: unknown): RequestInit => ({
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const errorOf = async (response: Response) =>
    ((await response.json()) as { error: { code: string; message: string } }).error;

  beforeAll(async () => {
    site = await startLoopbackSite({
      "/robots.txt": { body: "User-agent: *\nAllow: /\n", type: "text/plain" },
      "/": htmlPage("Harbour", "The harbour opens at dawn.", ["/tides"]),
      "/tides": htmlPage("Tides", "High tide comes at noon."),
    });
    root = await mkdtemp(join(tmpdir(), "zhiku-source-routes-"));
    await mkdir(join(root, "notes"));
    await writeFile(join(root, "notes", "ferries.md"), "# Ferries\n\nThe ferry leaves at seven.");
    server = await createTestServer({
      environment: { URL_ALLOWLIST: "127.0.0.1", SOURCE_FOLDER_ROOTS: root },
    });
    const workspace = server.deps.kb.createWorkspace({ name: "Harbour", slug: "harbour" });
    editor = await server.createUser({ email: "editor@example.com" });
    viewer = await server.createUser({ email: "viewer@example.com" });
    server.deps.auth.accounts.setMember({
      workspaceId: workspace.id,
      userId: editor.user.id,
      role: "editor",
    });
    server.deps.auth.accounts.setMember({
      workspaceId: workspace.id,
      userId: viewer.user.id,
      role: "viewer",
    });
  });

  afterAll(async () => {
    await server?.close();
    await site?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("adds a website source, syncs it on request and shows the outcome, then deletes it with its documents", async () => {
    const created = await editor.request(
      "/api/workspaces/harbour/sources",
      json("POST", { kind: "website", config: { url: `${site.origin}/` }, intervalMinutes: 0 }),
    );
    expect(created.status).toBe(201);
    const { source } = (await created.json()) as { source: WireSource };
    expect(source).toMatchObject({
      kind: "website",
      name: new URL(site.origin).host,
      config: { url: `${site.origin}/`, maxDepth: 2, maxPages: 200 },
      intervalMinutes: 0,
      documents: 0,
      lastSync: null,
    });

    const sync = await editor.request(`/api/workspaces/harbour/sources/${source.id}/sync`, {
      method: "POST",
    });
    expect(sync.status).toBe(202);
    expect(((await sync.json()) as { source: WireSource }).source.lastSync?.status).toBe("running");
    await server.deps.sources.whenSynced(source.id);

    const read = await viewer.request(`/api/workspaces/harbour/sources/${source.id}`);
    expect(read.status).toBe(200);
    expect(((await read.json()) as { source: WireSource }).source).toMatchObject({
      documents: 2,
      lastSync: { status: "done", added: 2, updated: 0, deleted: 0, unchanged: 0 },
    });
    const listed = (await (await viewer.request("/api/workspaces/harbour/sources")).json()) as {
      sources: WireSource[];
    };
    expect(listed.sources.map((entry) => entry.id)).toEqual([source.id]);

    const renamed = await editor.request(
      `/api/workspaces/harbour/sources/${source.id}`,
      json("PATCH", { name: "Harbour site", intervalMinutes: 30 }),
    );
    expect(renamed.status).toBe(200);
    expect(((await renamed.json()) as { source: WireSource }).source).toMatchObject({
      name: "Harbour site",
      intervalMinutes: 30,
    });

    const actions = server.deps.auth.audit
      .list({ limit: 20 })
      .filter((event) => event.action.startsWith("source."))
      .map((event) => event.action);
    expect(actions).toEqual(expect.arrayContaining(["source.created", "source.synced", "source.updated"]));

    await server.deps.jobs.whenIdle();
    const deleted = await editor.request(`/api/workspaces/harbour/sources/${source.id}`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(204);
    expect(server.deps.kb.listDocuments("harbour")).toEqual([]);
    expect((await editor.request(`/api/workspaces/harbour/sources/${source.id}`)).status).toBe(404);
    expect(server.deps.auth.audit.list({ limit: 1 })[0]).toMatchObject({
      action: "source.deleted",
      details: { documents: 2 },
    });
  });

  it("answers 409 conflict:source_sync while a sync of the source runs", async () => {
    // A site that holds its robots.txt until released keeps the first sync running.
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const slow: Server = createServer((_request, response) => {
      void held.then(() => {
        response.writeHead(404);
        response.end();
      });
    });
    await new Promise<void>((resolve) => slow.listen(0, "127.0.0.1", resolve));
    try {
      const origin = `http://127.0.0.1:${(slow.address() as AddressInfo).port}`;
      const created = await editor.request(
        "/api/workspaces/harbour/sources",
        json("POST", { kind: "website", name: "Slow", config: { url: `${origin}/` } }),
      );
      const { source } = (await created.json()) as { source: WireSource };
      expect(
        (await editor.request(`/api/workspaces/harbour/sources/${source.id}/sync`, { method: "POST" }))
          .status,
      ).toBe(202);
      const again = await editor.request(`/api/workspaces/harbour/sources/${source.id}/sync`, {
        method: "POST",
      });
      expect(again.status).toBe(409);
      expect((await errorOf(again)).code).toBe("conflict:source_sync");
      release();
      await server.deps.sources.whenSynced(source.id);
      expect(server.deps.sources.store.get(source.id)?.lastSync?.status).toBe("failed");
      expect(
        (await editor.request(`/api/workspaces/harbour/sources/${source.id}/sync`, { method: "POST" }))
          .status,
      ).toBe(202);
      await server.deps.sources.whenSynced(source.id);
    } finally {
      release();
      slow.closeAllConnections();
      await new Promise((resolve) => slow.close(resolve));
    }
  });

  it("names the field of a bad request", async () => {
    const post = async (body: unknown) => {
      const response = await editor.request("/api/workspaces/harbour/sources", json("POST", body));
      expect(response.status).toBe(400);
      return errorOf(response);
    };
    expect((await post({ config: { url: site.origin } })).code).toBe("invalid:kind");
    expect(await post({ kind: "website", config: { url: "ftp://example.com/" } })).toMatchObject({
      code: "invalid:config.url",
      message: expect.stringMatching(/^config\.url: /),
    });
    expect((await post({ kind: "website", config: { url: site.origin, maxPages: 0 } })).code).toBe(
      "invalid:config.maxPages",
    );
    expect((await post({ kind: "website", config: { url: site.origin }, intervalMinutes: 2 })).code).toBe(
      "invalid:intervalMinutes",
    );
    expect(
      (await post({ kind: "git", config: { url: "https://example.com/r.git", branch: "--upload-pack=x" } }))
        .code,
    ).toBe("invalid:config.branch");
    expect((await post({ kind: "git", config: { url: "ext::sh -c id" } })).code).toBe("invalid:config.url");

    const created = await editor.request(
      "/api/workspaces/harbour/sources",
      json("POST", { kind: "website", name: "Patch me", config: { url: `${site.origin}/` } }),
    );
    const { source } = (await created.json()) as { source: WireSource };
    const patched = await editor.request(
      `/api/workspaces/harbour/sources/${source.id}`,
      json("PATCH", { config: { url: `${site.origin}/`, maxDepth: 99 } }),
    );
    expect(patched.status).toBe(400);
    expect((await errorOf(patched)).code).toBe("invalid:config.maxDepth");
  });

  it("lets only an admin add a folder, and only under SOURCE_FOLDER_ROOTS", async () => {
    const folder = { kind: "folder", config: { path: join(root, "notes") } };
    const byEditor = await editor.request("/api/workspaces/harbour/sources", json("POST", folder));
    expect(byEditor.status).toBe(403);
    expect((await errorOf(byEditor)).code).toBe("forbidden:admin");

    const outside = await server.request(
      "/api/workspaces/harbour/sources",
      json("POST", { kind: "folder", config: { path: tmpdir() } }),
    );
    expect(outside.status).toBe(403);
    expect(await errorOf(outside)).toMatchObject({
      code: "forbidden:source_folder",
      message: expect.stringMatching(/^config\.path: .*SOURCE_FOLDER_ROOTS/),
    });

    const byAdmin = await server.request("/api/workspaces/harbour/sources", json("POST", folder));
    expect(byAdmin.status).toBe(201);
    const { source } = (await byAdmin.json()) as { source: WireSource };
    expect(source.name).toBe("notes");
    const sync = await editor.request(`/api/workspaces/harbour/sources/${source.id}/sync`, {
      method: "POST",
    });
    expect(sync.status).toBe(202);
    await server.deps.sources.whenSynced(source.id);
    expect(server.deps.sources.store.get(source.id)?.lastSync).toMatchObject({ status: "done", added: 1 });

    // An editor may sync and rename it, not point it elsewhere.
    const moved = await editor.request(
      `/api/workspaces/harbour/sources/${source.id}`,
      json("PATCH", { config: { path: root } }),
    );
    expect(moved.status).toBe(403);
    expect(
      (await editor.request(`/api/workspaces/harbour/sources/${source.id}`, json("PATCH", { name: "Notes" })))
        .status,
    ).toBe(200);
  });

  it("answers a viewer 403 and another workspace's source 404", async () => {
    const other = server.deps.kb.createWorkspace({ name: "Other", slug: "other-harbour" });
    const foreign = await server.deps.sources.create({
      workspace: other,
      spec: { kind: "website", config: { url: `${site.origin}/`, maxDepth: 0, maxPages: 1 } },
      intervalMinutes: 0,
      createdBy: null,
    });
    const denied = await viewer.request(
      "/api/workspaces/harbour/sources",
      json("POST", { kind: "website", config: { url: `${site.origin}/` } }),
    );
    expect(denied.status).toBe(403);
    const missing = await server.request(`/api/workspaces/harbour/sources/${foreign.id}`);
    expect(missing.status).toBe(404);
    expect((await errorOf(missing)).code).toBe("not_found:source");
  });
});
