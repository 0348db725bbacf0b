import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { WorkspaceRecord } from "@zhiku/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { documentsFound, syncNow } from "../../testing/source-sync.js";
import { createTestServer, type TestServer } from "../../testing/test-server.js";
import { createAddressPolicy } from "../documents/address-policy.js";
import { resolveGitRemote } from "./git-source.js";
import type { SourceRecord } from "./source-types.js";

describe("a Git source against a local repository", () => {
  let root: string;
  let repository: string;
  let server: TestServer;
  let workspace: WorkspaceRecord;

  const git = (...args: string[]) =>
    execFileSync("git", ["-c", "user.name=Tests", "-c", "user.email=tests@example.com", ...args], {
      cwd: repository,
      stdio: "pipe",
    });
  const write = async (path: string, content: string) => {
    await mkdir(dirname(join(repository, path)), { recursive: true });
    await writeFile(join(repository, path), content);
  };
  const commit = (message: string) => {
    git("add", "-A");
    git("commit", "-q", "-m", message);
  };
  const sync = (source: SourceRecord) => syncNow(server, source);
  const found = (query: string) => documentsFound(server, "repo", query);

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "zhiku-git-source-"));
    repository = join(root, "handbook");
    await mkdir(repository);
    git("init", "-q", "-b", "main");
    await write("README.md", "# Handbook\n\nThe handbook of the harbour office.");
    await write("docs/tides.md", "# Tides\n\nHigh tide comes at noon on Sundays.");
    await write("docs/moorings.txt", "Mooring buoys are painted vermilion.");
    await write("docs/cranes.md", "# Cranes\n\nThe crane lifts forty tonnes.");
    await write("src/app.js", "console.log('not a document of this source');");
    await symlink("/etc/hostname", join(repository, "docs", "host.md"));
    commit("first");
    git("checkout", "-q", "-b", "draft");
    await write("docs/draft.md", "# Draft\n\nThe draft mentions albatrosses.");
    commit("draft");
    git("checkout", "-q", "main");
    server = await createTestServer({ environment: { SOURCE_FOLDER_ROOTS: root } });
    workspace = server.deps.kb.createWorkspace({ name: "Repo", slug: "repo" });
  });

  afterAll(async () => {
    await server?.close();
    await rm(root, { recursive: true, force: true });
  });

  it("ingests a branch's Markdown and text files, then follows edits, additions and deletions", async () => {
    const source = await server.deps.sources.create({
      workspace,
      spec: { kind: "git", config: { url: repository, branch: "main" } },
      intervalMinutes: 0,
      createdBy: null,
    });
    expect(source.name).toBe("handbook");

    const first = await sync(source);
    expect(first.lastSync).toMatchObject({
      status: "done",
      added: 4,
      updated: 0,
      deleted: 0,
      unchanged: 0,
      failed: 0,
    });
    const names = () =>
      server.deps.kb
        .listDocuments("repo")
        .map((document) => document.name)
        .sort();
    expect(names()).toEqual([
      "handbook/README.md",
      "handbook/docs/cranes.md",
      "handbook/docs/moorings.txt",
      "handbook/docs/tides.md",
    ]);
    expect(await found("vermilion")).toEqual(["handbook/docs/moorings.txt"]);
    expect(await found("albatrosses")).toEqual([]);

    await write("docs/tides.md", "# Tides\n\nHigh tide now comes at half past one.");
    await write("docs/lighthouse.md", "# Lighthouse\n\nThe keeper feeds the cormorants.");
    await rm(join(repository, "docs", "moorings.txt"));
    commit("second");
    const second = await sync(source);
    expect(second.lastSync).toMatchObject({
      status: "done",
      added: 1,
      updated: 1,
      deleted: 1,
      unchanged: 2,
      failed: 0,
    });
    expect(await found("cormorants")).toEqual(["handbook/docs/lighthouse.md"]);
    expect(await found("half past one")).toContain("handbook/docs/tides.md");
    expect(await found("noon")).toEqual([]);
    expect(await found("vermilion")).toEqual([]);
    expect(names()).not.toContain("handbook/docs/moorings.txt");

    // Renamed, the source stores its files under the new name and drops the old documents.
    const renamed = await server.deps.sources.update(source, { name: "harbour" });
    const afterRename = await sync(renamed);
    expect(afterRename.lastSync).toMatchObject({ added: 0, updated: 4, deleted: 0, unchanged: 0, failed: 0 });
    expect(names()).toEqual([
      "harbour/README.md",
      "harbour/docs/cranes.md",
      "harbour/docs/lighthouse.md",
      "harbour/docs/tides.md",
    ]);

    // Another branch (made from the first commit): the source switched to it follows that branch's files.
    const switched = await server.deps.sources.update(renamed, {
      config: { url: repository, branch: "draft" },
    });
    const third = await sync(switched);
    expect(third.lastSync).toMatchObject({ status: "done", added: 2, updated: 1, deleted: 1, unchanged: 2 });
    expect(await found("albatrosses")).toEqual(["harbour/docs/draft.md"]);

    await server.deps.sources.delete(third, workspace);
    expect(names()).toEqual([]);
    expect(existsSync(join(server.dataDir, "sources", source.id))).toBe(false);
  });

  it("fails a sync of a missing branch with git's reason, without the server's paths", async () => {
    const other = server.deps.kb.createWorkspace({ name: "Other repo", slug: "other-repo" });
    const source = await server.deps.sources.create({
      workspace: other,
      spec: { kind: "git", config: { url: `file://${repository}`, branch: "no-such-branch" } },
      intervalMinutes: 0,
      createdBy: null,
    });
    server.deps.sources.startSync(source);
    await server.deps.sources.whenSynced(source.id);
    const synced = server.deps.sources.store.get(source.id)!;
    expect(synced.lastSync?.status).toBe("failed");
    expect(synced.lastSync?.error).toMatch(/git clone failed: .*no-such-branch/);
    expect(synced.lastSync?.error).not.toContain(server.dataDir);
  });

  it("refuses repository addresses it must not hand to git", async () => {
    const policy = createAddressPolicy([]);
    const refuse = (url: string, folderRoots: string[] = [root]) =>
      resolveGitRemote({ url, policy, folderRoots });
    await expect(refuse(tmpdir(), [root])).rejects.toMatchObject({
      code: "forbidden:source_folder",
      message: expect.stringMatching(/config\.url: .*outside the directories.*SOURCE_FOLDER_ROOTS/),
    });
    await expect(refuse("ext::sh -c touch% pwned")).rejects.toMatchObject({
      code: "invalid:config.url",
    });
    await expect(refuse("--upload-pack=touch pwned")).rejects.toMatchObject({
      code: "invalid:config.url",
    });
    await expect(refuse("git://example.com/repo.git")).rejects.toMatchObject({ code: "invalid:config.url" });
    await expect(refuse("http://127.0.0.1/repo.git")).rejects.toMatchObject({ code: "forbidden:url" });
    await expect(refuse("git@10.1.2.3:team/repo.git")).rejects.toMatchObject({ code: "forbidden:url" });
    await expect(refuse("https://user:secret@example.com/repo.git")).rejects.toMatchObject({
      code: "invalid:config.url",
    });
    await expect(refuse(repository)).resolves.toMatchObject({ checkedHost: null });
  });
});
