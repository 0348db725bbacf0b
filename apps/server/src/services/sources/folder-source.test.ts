import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { WorkspaceRecord } from "@zhiku/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentsFound } from "../../testing/source-sync.js";
import { createTestServer, type TestServer } from "../../testing/test-server.js";
import { resolveAllowedDirectory } from "./folder-source.js";
import type { SourceRecord } from "./source-types.js";

/** Resolves once `check` returns a value, trying again after each `next()`. */
async function until<Value>(check: () => Value | undefined, next: () => Promise<void>): Promise<Value> {
  for (;;) {
    const value = check();
    if (value !== undefined) return value;
    await next();
  }
}

describe("a folder source", () => {
  let root: string;
  let folder: string;
  let server: TestServer;
  let workspace: WorkspaceRecord;

  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(folder, path)), { recursive: true });
    await writeFile(join(folder, path), content);
  };
  const found = (query: string) => documentsFound(server, "shared", query);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "zhiku-folder-source-"));
    folder = join(root, "handbook");
    await write("tides.md", "# Tides\n\nHigh tide comes at noon on Sundays.");
    await write("ops/moorings.txt", "Mooring buoys are painted vermilion.");
    await write("ops/cranes.md", "# Cranes\n\nThe crane lifts forty tonnes.");
    await write(".hidden/secret.md", "The padlock code is walrus.");
    await write("photo.png", "not a document");
    await writeFile(join(root, "outside.md"), "Outside the folder: narwhal.");
    await symlink(join(root, "outside.md"), join(folder, "linked.md"));
    server = await createTestServer({
      environment: { SOURCE_FOLDER_ROOTS: root },
      sourceTiming: { watchDebounceMs: 100 },
    });
    workspace = server.deps.kb.createWorkspace({ name: "Shared", slug: "shared" });
  });

  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("syncs on demand and again by itself when the folder changes", async () => {
    const source: SourceRecord = await server.deps.sources.create({
      workspace,
      spec: { kind: "folder", config: { path: folder } },
      intervalMinutes: 0,
      createdBy: null,
    });
    server.deps.sources.startSync(source);
    await server.deps.sources.whenSynced(source.id);
    await server.deps.jobs.whenIdle();
    expect(server.deps.sources.store.get(source.id)?.lastSync).toMatchObject({
      status: "done",
      added: 3,
      failed: 0,
    });
    expect(
      server.deps.kb
        .listDocuments("shared")
        .map((document) => document.name)
        .sort(),
    ).toEqual(["handbook/ops/cranes.md", "handbook/ops/moorings.txt", "handbook/tides.md"]);
    expect(await found("walrus")).toEqual([]);
    expect(await found("narwhal")).toEqual([]);
    const firstStarted = server.deps.sources.store.get(source.id)!.lastSync!.startedAt;

    // No sync is asked for: the watcher sees the changes and syncs once they are quiet.
    await write("tides.md", "# Tides\n\nHigh tide now comes at half past one.");
    await write("lighthouse.md", "# Lighthouse\n\nThe keeper feeds the cormorants.");
    await rm(join(folder, "ops", "moorings.txt"));
    const names = () =>
      server.deps.kb
        .listDocuments("shared")
        .map((document) => document.name)
        .sort();
    await until(
      () =>
        names().includes("handbook/lighthouse.md") && !names().includes("handbook/ops/moorings.txt")
          ? true
          : undefined,
      () => new Promise((resolve) => setTimeout(resolve, 50)),
    );
    await server.deps.sources.whenSynced(source.id);
    await server.deps.jobs.whenIdle();
    const watched = server.deps.sources.store.get(source.id)!.lastSync!;
    expect(watched.startedAt).not.toBe(firstStarted);
    expect(watched.status).toBe("done");
    expect(names()).toEqual(["handbook/lighthouse.md", "handbook/ops/cranes.md", "handbook/tides.md"]);
    // The watcher may have synced between the three writes; a sync now finds everything ingested.
    server.deps.sources.startSync(server.deps.sources.store.get(source.id)!);
    await server.deps.sources.whenSynced(source.id);
    expect(server.deps.sources.store.get(source.id)?.lastSync).toMatchObject({
      added: 0,
      updated: 0,
      deleted: 0,
      unchanged: 3,
    });
    await server.deps.jobs.whenIdle();
    expect(await found("cormorants")).toEqual(["handbook/lighthouse.md"]);
    expect(await found("half past one")).toContain("handbook/tides.md");
    expect(await found("vermilion")).toEqual([]);
  });

  it("refuses a folder outside SOURCE_FOLDER_ROOTS, or any folder without them, naming the field", async () => {
    await expect(
      resolveAllowedDirectory({ path: tmpdir(), roots: [folder], field: "config.path" }),
    ).rejects.toMatchObject({
      code: "forbidden:source_folder",
      message: expect.stringMatching(
        /^config\.path: .* is outside the directories folder sources may read \(SOURCE_FOLDER_ROOTS: /,
      ),
    });
    await expect(
      resolveAllowedDirectory({ path: folder, roots: [], field: "config.path" }),
    ).rejects.toMatchObject({
      code: "forbidden:source_folder",
      message: expect.stringMatching(/SOURCE_FOLDER_ROOTS/),
    });
    await expect(
      resolveAllowedDirectory({ path: join(folder, "missing"), roots: [root], field: "config.path" }),
    ).rejects.toMatchObject({
      code: "invalid:config.path",
      message: expect.stringMatching(/is not a directory/),
    });
    await expect(
      resolveAllowedDirectory({ path: "handbook", roots: [root], field: "config.path" }),
    ).rejects.toMatchObject({
      code: "invalid:config.path",
    });
    // A link inside a root to a directory outside it does not let the folder out.
    await symlink(tmpdir(), join(root, "escape"));
    await expect(
      resolveAllowedDirectory({ path: join(root, "escape"), roots: [root], field: "config.path" }),
    ).rejects.toMatchObject({ code: "forbidden:source_folder" });
  });
});
