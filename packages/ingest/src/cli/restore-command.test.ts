import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { lexicalEmbedding } from "@zhiku/stand-in-ollama";
import { create as createTar, extract, list } from "tar";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import type { Embedder } from "../types.js";
import { createBackup } from "./backup-command.js";
import { restoreBackup } from "./restore-command.js";

const embedder: Embedder = {
  model: "bge-m3",
  async dimension() {
    return 32;
  },
  async embed(texts) {
    return texts.map((text) => lexicalEmbedding(text, 32));
  },
};

describe("zhiku restore", () => {
  let root: string;
  let archivePath: string;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "zhiku-restore-test-"));
    const knowledgeBase: KnowledgeBase = await openKnowledgeBase({ dataDir: join(root, "live"), embedder });
    try {
      await knowledgeBase.ingest({
        workspace: "team",
        name: "redis.md",
        bytes: new TextEncoder().encode("# Redis\n\nRDB 快照把内存数据写入磁盘。错误码 ERR-4312。\n"),
      });
    } finally {
      await knowledgeBase.close();
    }
    archivePath = join(root, "backup.tar.gz");
    await createBackup({ dataDir: join(root, "live"), archivePath });
  });

  afterAll(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("refuses a data dir that is not empty and leaves it untouched", async () => {
    const dataDir = join(root, "occupied");
    await mkdir(dataDir);
    await writeFile(join(dataDir, "notes.txt"), "keep me");
    await expect(restoreBackup({ archivePath, dataDir })).rejects.toMatchObject({
      code: "conflict:data_dir",
      message: expect.stringMatching(
        /occupied is not empty \(notes\.txt\): restore only into an empty or missing DATA_DIR/,
      ),
    });
    expect(await readdir(dataDir)).toEqual(["notes.txt"]);
    expect(await readFile(join(dataDir, "notes.txt"), "utf8")).toBe("keep me");
  });

  it("restores into an existing empty folder, such as a fresh Docker volume", async () => {
    const dataDir = join(root, "empty-volume");
    await mkdir(dataDir);
    const { counts } = await restoreBackup({ archivePath, dataDir });
    expect(counts).toMatchObject({ workspaces: 1, documents: 1, files: 1, missingFiles: 0 });
    expect(counts.chunks).toBeGreaterThan(0);
    const knowledgeBase = await openKnowledgeBase({ dataDir, embedder });
    try {
      const { results } = await knowledgeBase.search({
        workspace: "team",
        query: "ERR-4312",
        mode: "fulltext",
      });
      expect(results.map((result) => result.documentName)).toEqual(["redis.md"]);
    } finally {
      await knowledgeBase.close();
    }
  });

  it("rejects files that are not Zhiku backups and removes what it unpacked", async () => {
    const notAnArchive = join(root, "notes.tar.gz");
    await writeFile(notAnArchive, "just text");
    const target = join(root, "target-1");
    await expect(restoreBackup({ archivePath: notAnArchive, dataDir: target })).rejects.toMatchObject({
      code: "invalid:backup",
    });
    expect(await readdir(target)).toEqual([]);

    // A real tar.gz without a manifest.
    const source = join(root, "not-a-backup");
    await mkdir(source);
    await writeFile(join(source, "zhiku.db"), "not sqlite");
    const withoutManifest = join(root, "without-manifest.tar.gz");
    await createTar({ gzip: true, file: withoutManifest, cwd: source }, ["zhiku.db"]);
    const otherTarget = join(root, "target-2");
    await expect(restoreBackup({ archivePath: withoutManifest, dataDir: otherTarget })).rejects.toMatchObject(
      {
        code: "invalid:backup",
        message: expect.stringContaining("has no manifest.json"),
      },
    );
    expect(await readdir(otherTarget)).toEqual([]);

    await expect(
      restoreBackup({ archivePath: join(root, "missing.tar.gz"), dataDir: join(root, "target-3") }),
    ).rejects.toMatchObject({ code: "not_found:backup" });
    expect(existsSync(join(root, "target-3"))).toBe(false);
  });

  it("fails and cleans up when the restored data does not match the manifest", async () => {
    // Unpack a real backup, drop the original file, and pack it again with the old manifest.
    const unpacked = join(root, "tampered");
    await restoreBackup({ archivePath, dataDir: unpacked });
    const entries: string[] = [];
    await list({ file: archivePath, onReadEntry: (entry) => entries.push(entry.path) });
    const originalFile = entries.find((entry) => /^files\/[0-9a-f]{2}\/[0-9a-f]{64}$/.test(entry))!;
    await rm(join(unpacked, originalFile));
    await extract({ file: archivePath, cwd: unpacked, filter: (path) => path === "manifest.json" });
    const tampered = join(root, "tampered.tar.gz");
    await createTar({ gzip: true, file: tampered, cwd: unpacked }, [
      "manifest.json",
      "zhiku.db",
      "lancedb",
      "files",
    ]);

    const target = join(root, "target-4");
    await expect(restoreBackup({ archivePath: tampered, dataDir: target })).rejects.toMatchObject({
      code: "invalid:backup",
      message: expect.stringContaining("files: 0 restored, 1 in the manifest"),
    });
    expect(await readdir(target)).toEqual([]);
  });

  it("is the zhiku restore command, which reads DATA_DIR", () => {
    const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));
    const dataDir = join(root, "from-cli");
    const run = (directory: string) =>
      spawnSync(process.execPath, [cli, "restore", archivePath], {
        env: { ...process.env, DATA_DIR: directory },
        encoding: "utf8",
      });
    const restored = run(dataDir);
    expect(restored.stderr).toBe("");
    expect(restored.status).toBe(0);
    expect(restored.stdout).toMatch(
      /^Restored 1 workspaces, 1 documents, \d+ chunks and 1 original files from the backup of .* the counts match the manifest\n$/,
    );
    const again = run(dataDir);
    expect(again.status).not.toBe(0);
    expect(again.stderr).toContain("(conflict:data_dir)");
  });
});
