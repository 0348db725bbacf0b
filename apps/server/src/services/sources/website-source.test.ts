import type { WorkspaceRecord } from "@zhiku/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { htmlPage, type LoopbackSite, startLoopbackSite } from "../../testing/loopback-site.js";
import { documentsFound, syncNow } from "../../testing/source-sync.js";
import { createTestServer, type TestServer } from "../../testing/test-server.js";
import type { SourceRecord, SourceSpec } from "./source-types.js";

describe("a website source against a loopback site", () => {
  let server: TestServer;
  let site: LoopbackSite;
  let workspace: WorkspaceRecord;

  beforeAll(async () => {
    site = await startLoopbackSite();
    // Loopback is refused by the SSRF rules unless allow-listed, as an admin would for an intranet site.
    server = await createTestServer({ environment: { URL_ALLOWLIST: "127.0.0.1" } });
    workspace = server.deps.kb.createWorkspace({ name: "Site", slug: "site" });
  });

  afterAll(async () => {
    await server?.close();
    await site?.close();
  });

  const sync = (source: SourceRecord) => syncNow(server, source);
  const found = (query: string) => documentsFound(server, "site", query);
  const create = (spec: SourceSpec) =>
    server.deps.sources.create({ workspace, spec, intervalMinutes: 0, createdBy: null });

  it("adds the pages it reaches, then follows edits, additions and removals", async () => {
    const home = `${site.origin}/`;
    site.pages.set("/robots.txt", { body: "User-agent: *\nDisallow: /private\n", type: "text/plain" });
    site.pages.set(
      "/",
      htmlPage("Harbour handbook", "Welcome to the harbour handbook.", [
        "/a",
        "/b",
        "/d",
        "/private/keys",
        "https://elsewhere.example/x",
      ]),
    );
    site.pages.set("/a", htmlPage("Tides", "High tide comes at noon on Sundays."));
    site.pages.set("/b", htmlPage("Moorings", "Mooring buoys are painted vermilion."));
    site.pages.set("/d", htmlPage("Cranes", "The crane lifts forty tonnes."));
    site.pages.set("/private/keys", htmlPage("Keys", "The padlock code is walrus."));
    const source = await create({ kind: "website", config: { url: home, maxDepth: 2, maxPages: 50 } });
    expect(source.name).toBe(new URL(home).host);

    const first = await sync(source);
    expect(first.lastSync).toMatchObject({
      status: "done",
      added: 4,
      updated: 0,
      deleted: 0,
      unchanged: 0,
      failed: 0,
      error: null,
    });
    expect(site.requests).not.toContain("/private/keys");
    expect(await found("vermilion")).toEqual([`${site.origin}/b`]);
    expect(await found("walrus")).toEqual([]);
    const names = server.deps.kb
      .listDocuments("site")
      .map((document) => document.name)
      .sort();
    expect(names).toEqual([home, `${site.origin}/a`, `${site.origin}/b`, `${site.origin}/d`]);

    // Edit one page (and link a new one from it), remove one: the home page still links it, but it is gone.
    site.pages.set("/a", htmlPage("Tides", "High tide now comes at half past one.", ["/c"]));
    site.pages.set("/c", htmlPage("Lighthouse", "The lighthouse keeper feeds the cormorants."));
    site.pages.delete("/b");
    const second = await sync(source);
    expect(second.lastSync).toMatchObject({
      status: "done",
      added: 1,
      updated: 1,
      deleted: 1,
      unchanged: 2,
      failed: 0,
    });
    expect(await found("cormorants")).toEqual([`${site.origin}/c`]);
    expect(await found("half past one")).toContain(`${site.origin}/a`);
    expect(await found("noon")).toEqual([]);
    expect(await found("vermilion")).toEqual([]);

    // Nothing changed: everything is skipped and nothing is queued.
    const third = await sync(source);
    expect(third.lastSync).toMatchObject({ added: 0, updated: 0, deleted: 0, unchanged: 4, failed: 0 });

    // A page that fails hides the pages only it links to: their documents are kept, not deleted.
    site.pages.set("/a", { status: 500 });
    const fourth = await sync(source);
    expect(fourth.lastSync).toMatchObject({ added: 0, updated: 0, deleted: 0, unchanged: 2, failed: 1 });
    expect(fourth.lastSync?.error).toMatch(/\/a: .*HTTP 500/);
    expect(await found("cormorants")).toEqual([`${site.origin}/c`]);
  });

  it("reads the pages of a sitemap, counts a failing page and goes on with the rest", async () => {
    const other = server.deps.kb.createWorkspace({ name: "Mapped", slug: "mapped" });
    site.pages.set("/robots.txt", { body: "User-agent: *\nAllow: /\n", type: "text/plain" });
    site.pages.set("/sitemap.xml", {
      type: "application/xml",
      body: `<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${site.origin}/m1</loc></url><url><loc>${site.origin}/broken</loc></url><url><loc>${site.origin}/m2</loc></url><url><loc>https://elsewhere.example/m3</loc></url></urlset>`,
    });
    site.pages.set("/m1", htmlPage("Ferries", "The ferry leaves at dawn.", ["/m-linked"]));
    site.pages.set("/m2", htmlPage("Buoys", "Green buoys mark starboard."));
    site.pages.set("/broken", { status: 500 });
    const source = await server.deps.sources.create({
      workspace: other,
      spec: { kind: "website", config: { url: `${site.origin}/sitemap.xml`, maxDepth: 0, maxPages: 10 } },
      intervalMinutes: 0,
      createdBy: null,
    });
    server.deps.sources.startSync(source);
    await server.deps.sources.whenSynced(source.id);
    const synced = server.deps.sources.store.get(source.id)!;
    expect(synced.lastSync).toMatchObject({ status: "done", added: 2, failed: 1 });
    expect(synced.lastSync?.error).toMatch(new RegExp(`^${site.origin}/broken: .*HTTP 500`));
    expect(site.requests).not.toContain("/m-linked");
    await server.deps.jobs.whenIdle();
    expect(
      server.deps.kb
        .listDocuments("mapped")
        .map((document) => document.name)
        .sort(),
    ).toEqual([`${site.origin}/m1`, `${site.origin}/m2`]);
  });

  it("fails a sync whose start page is gone without deleting anything, and honours maxPages", async () => {
    const limited = server.deps.kb.createWorkspace({ name: "Limited", slug: "limited" });
    site.pages.set("/robots.txt", { body: "", type: "text/plain" });
    site.pages.set("/l", htmlPage("Start", "Start page.", ["/l1", "/l2", "/l3"]));
    for (const page of ["/l1", "/l2", "/l3"]) site.pages.set(page, htmlPage(page, `Page ${page}.`));
    const source = await server.deps.sources.create({
      workspace: limited,
      spec: { kind: "website", config: { url: `${site.origin}/l`, maxDepth: 1, maxPages: 2 } },
      intervalMinutes: 0,
      createdBy: null,
    });
    server.deps.sources.startSync(source);
    await server.deps.sources.whenSynced(source.id);
    expect(server.deps.sources.store.get(source.id)?.lastSync).toMatchObject({ status: "done", added: 2 });

    site.pages.delete("/l");
    server.deps.sources.startSync(source);
    await server.deps.sources.whenSynced(source.id);
    const failed = server.deps.sources.store.get(source.id)!;
    expect(failed.lastSync?.status).toBe("failed");
    expect(failed.lastSync?.error).toMatch(/HTTP 404/);
    expect(server.deps.sources.store.documentsOf(source.id).size).toBe(2);
  });

  it("follows a start page that moved to another origin, and lists a redirected page under its new address", async () => {
    const moved = await startLoopbackSite({
      "/robots.txt": { body: "User-agent: *\nDisallow: /drafts\n", type: "text/plain" },
      "/": htmlPage("New home", "The harbour office moved.", ["/old-tides", "/drafts/x", "/tides"]),
      "/old-tides": { redirect: "/tides" },
      "/tides": htmlPage("Tides", "Spring tides bring flooding."),
      "/drafts/x": htmlPage("Draft", "Never fetched."),
    });
    try {
      const target = server.deps.kb.createWorkspace({ name: "Moved", slug: "moved" });
      site.pages.set("/moved", { redirect: `${moved.origin}/` });
      const source = await server.deps.sources.create({
        workspace: target,
        spec: { kind: "website", config: { url: `${site.origin}/moved`, maxDepth: 2, maxPages: 10 } },
        intervalMinutes: 0,
        createdBy: null,
      });
      server.deps.sources.startSync(source);
      await server.deps.sources.whenSynced(source.id);
      expect(server.deps.sources.store.get(source.id)?.lastSync).toMatchObject({
        status: "done",
        added: 2,
        failed: 0,
      });
      expect(
        server.deps.kb
          .listDocuments("moved")
          .map((document) => document.name)
          .sort(),
      ).toEqual([`${moved.origin}/`, `${moved.origin}/tides`]);
      expect(moved.requests).not.toContain("/drafts/x");
    } finally {
      await moved.close();
    }
  });

  it("refuses a site on a loopback address without URL_ALLOWLIST", async () => {
    const strict = await createTestServer();
    try {
      const target = strict.deps.kb.createWorkspace({ name: "Strict", slug: "strict" });
      const source = await strict.deps.sources.create({
        workspace: target,
        spec: { kind: "website", config: { url: `${site.origin}/`, maxDepth: 1, maxPages: 5 } },
        intervalMinutes: 0,
        createdBy: null,
      });
      strict.deps.sources.startSync(source);
      await strict.deps.sources.whenSynced(source.id);
      const synced = strict.deps.sources.store.get(source.id)!;
      expect(synced.lastSync?.status).toBe("failed");
      expect(synced.lastSync?.error).toMatch(/loopback, private or link-local.*URL_ALLOWLIST/);
    } finally {
      await strict.close();
    }
  });
});
