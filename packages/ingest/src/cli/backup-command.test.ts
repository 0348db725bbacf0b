import { mkdir, mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { list as listTar } from "tar";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/index.js";
import { type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import { createBackup, runBackup } from "./backup-command.js";
import { restoreBackup } from "./restore-command.js";

const encode = (text: string) => new TextEncoder().encode(text);

const TOPICS = [
  "Redis 持久化",
  "JVM 垃圾回收",
  "Kafka 分区",
  "Nginx 反向代理",
  "PostgreSQL 索引",
  "Docker 网络",
];

/** A Markdown document of a few sections, distinct per topic and number, with one exact code to search for. */
function documentText(topic: string, number: number): string {
  const sections = Array.from(
    { length: 4 },
    (_, section) =>
      `## ${topic} 第${section + 1}节\n\n${topic}的运维手册第${number}版。错误码 E${number}${section} 表示配置有误，` +
      `需要检查第${section + 1}项参数并重启服务。This section covers ${topic} item ${section} of revision ${number}.\n`,
  );
  return `# ${topic}\n\n${sections.join("\n")}`;
}

/** Everything a user sees of a knowledge base: workspaces, documents, each document's chunks. */
async function contentsOf(knowledgeBase: KnowledgeBase) {
  const workspaces = knowledgeBase.listWorkspaces();
  const documents = Object.fromEntries(
    workspaces.map((workspace) => [workspace.slug, knowledgeBase.listDocuments(workspace.slug)]),
  );
  const chunks: Record<string, unknown> = {};
  for (const workspace of workspaces) {
    for (const document of documents[workspace.slug]!) {
      chunks[document.id] = await knowledgeBase.listChunks(workspace.slug, document.id);
    }
  }
  return { workspaces, documents, chunks };
}

describe("zhiku backup and restore", () => {
  let root: string;
  let standIn: StandInOllama;
  const opened: KnowledgeBase[] = [];

  const open = async (dataDir: string) => {
    const knowledgeBase = await openKnowledgeBase({
      dataDir,
      embedder: createOllamaEmbedder({ host: standIn.url, model: "bge-m3" }),
    });
    opened.push(knowledgeBase);
    return knowledgeBase;
  };

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "zhiku-backup-test-"));
    standIn = await startStandInOllama({ embeddingDimension: 64 });
  });

  afterEach(async () => {
    for (const knowledgeBase of opened.splice(0)) await knowledgeBase.close();
    await standIn.close();
    await rm(root, { recursive: true, force: true });
  });

  it("restores workspaces, documents, chunks, originals and search results exactly", async () => {
    const live = await open(join(root, "live"));
    for (const [number, topic] of TOPICS.entries()) {
      await live.ingest({
        workspace: number % 2 === 0 ? "team" : "ops",
        name: `manuals/${number}.md`,
        bytes: encode(documentText(topic, number)),
      });
    }
    live.updateWorkspace("team", { settings: { topK: 4, systemPrompt: "只用中文回答" } });
    const archivePath = join(root, "backup.tar.gz");
    const output: string[] = [];
    const manifest = await runBackup({
      dataDir: live.dataDir,
      archivePath,
      output: { write: (text: string) => output.push(text) } as unknown as NodeJS.WritableStream,
    });

    const expectedChunks = live
      .listWorkspaces()
      .flatMap((workspace) => live.listDocuments(workspace.slug))
      .reduce((sum, document) => sum + document.chunks, 0);
    expect(manifest.counts).toEqual({
      workspaces: 2,
      documents: TOPICS.length,
      chunks: expectedChunks,
      files: TOPICS.length,
      missingFiles: 0,
    });
    expect(output.join("")).toContain(`Backed up 2 workspaces, ${TOPICS.length} documents`);
    const entries: string[] = [];
    await listTar({ file: archivePath, onReadEntry: (entry) => entries.push(entry.path) });
    expect(entries[0]).toBe("manifest.json");
    expect(entries).toContain("zhiku.db");
    expect(entries.some((entry) => entry.startsWith("lancedb/"))).toBe(true);
    expect(entries.some((entry) => entry.startsWith("files/"))).toBe(true);

    const restoredDir = join(root, "restored");
    const result = await restoreBackup({ archivePath, dataDir: restoredDir });
    expect(result.counts).toEqual(manifest.counts);
    const restored = await open(restoredDir);

    expect(await contentsOf(restored)).toEqual(await contentsOf(live));
    for (const workspace of live.listWorkspaces()) {
      for (const document of live.listDocuments(workspace.slug)) {
        const hash = live.documentFileHash(document.id)!;
        expect(await restored.files.read(hash)).toEqual(await live.files.read(hash));
      }
      for (const mode of ["hybrid", "vector", "fulltext"] as const) {
        for (const query of ["错误码 E21 配置", "PostgreSQL 索引", "revision 4"]) {
          const before = await live.search({ workspace: workspace.slug, query, mode });
          const after = await restored.search({ workspace: workspace.slug, query, mode });
          expect(after, `${workspace.slug} ${mode} "${query}"`).toEqual(before);
        }
      }
    }
    // The restored knowledge base takes new documents like the original.
    const added = await restored.ingest({
      workspace: "ops",
      name: "new.md",
      bytes: encode(documentText("Go 协程", 9)),
    });
    expect(added.status).toBe("ingested");
  });

  it("takes a consistent snapshot while documents are being ingested and deleted", async () => {
    const live = await open(join(root, "live"));
    const settled: string[] = [];
    for (const [number, topic] of TOPICS.slice(0, 3).entries()) {
      const outcome = await live.ingest({
        workspace: "team",
        name: `settled/${number}.md`,
        bytes: encode(documentText(topic, number)),
      });
      settled.push(outcome.document.id);
    }
    const doomed = await live.ingest({
      workspace: "team",
      name: "doomed.md",
      bytes: encode(documentText("临时文档", 99)),
    });
    // Slow embeddings keep each ingestion in flight for a while, so the backup runs in between.
    standIn.setOptions({ latencyMs: 25 });

    let firstDone!: () => void;
    const firstIngested = new Promise<void>((resolve) => {
      firstDone = resolve;
    });
    // Other packages keep their tables in the same SQLite file (the server's threads and messages); one is
    // written alongside the ingestion, one row per step.
    live.db.exec("CREATE TABLE thread_messages (id INTEGER PRIMARY KEY, text TEXT NOT NULL)");
    const addMessage = live.db.prepare("INSERT INTO thread_messages (text) VALUES (?)");
    const writer = (async () => {
      for (let number = 10; number < 22; number++) {
        addMessage.run(`问题 ${number}`);
        await live.ingest({
          workspace: number % 3 === 0 ? "busy" : "team",
          name: `busy/${number}.md`,
          bytes: encode(documentText(TOPICS[number % TOPICS.length]!, number)),
        });
        if (number === 10) firstDone();
        if (number === 12) await live.deleteDocument("team", doomed.document.id);
      }
    })();
    await firstIngested;
    const archivePath = join(root, "under-load.tar.gz");
    const staging = join(root, "staging");
    await mkdir(staging);
    const manifest = await createBackup({ dataDir: live.dataDir, archivePath, temporaryDirectory: staging });
    await writer;
    expect(await readdir(staging), "the staging copy is removed").toEqual([]);

    const restoredDir = join(root, "restored");
    const { counts } = await restoreBackup({ archivePath, dataDir: restoredDir });
    expect(counts).toEqual(manifest.counts);
    expect(counts.documents).toBeGreaterThanOrEqual(4);
    expect((await readdir(restoredDir)).sort(), "no staging folder is left").toEqual([
      "files",
      "lancedb",
      "zhiku.db",
    ]);
    const restored = await open(restoredDir);

    // The other tables come back at the same point in time: a prefix of the rows written, none torn.
    const messages = restored.db.prepare("SELECT id, text FROM thread_messages ORDER BY id").all() as {
      id: number;
      text: string;
    }[];
    expect(messages.length).toBeGreaterThan(0);
    expect(messages).toEqual(
      (live.db.prepare("SELECT id, text FROM thread_messages ORDER BY id").all() as unknown[]).slice(
        0,
        messages.length,
      ),
    );

    // Documents that were settled before the backup come back exactly as they are.
    for (const documentId of settled) {
      expect(restored.getDocument("team", documentId)).toEqual(live.getDocument("team", documentId));
      expect(await restored.listChunks("team", documentId)).toEqual(
        await live.listChunks("team", documentId),
      );
    }
    const query = {
      workspace: "team",
      query: "Redis 持久化 错误码",
      mode: "vector" as const,
      documentIds: settled,
    };
    expect(await restored.search(query)).toEqual(await live.search(query));

    // Every document the snapshot holds as ready has exactly its own stored chunks, and its original file.
    for (const workspace of restored.listWorkspaces()) {
      for (const document of restored.listDocuments(workspace.slug)) {
        if (document.status !== "ready") continue;
        const chunks = await restored.listChunks(workspace.slug, document.id);
        expect(chunks, document.name).toHaveLength(document.chunks);
        const versionTag = document.contentHash!.slice(0, 12);
        for (const chunk of chunks) expect(chunk.chunkId).toBe(`${document.id}:${versionTag}:${chunk.index}`);
        expect(restored.files.has(restored.documentFileHash(document.id)!), document.name).toBe(true);
      }
    }
  });

  it("holds LanceDB at the versions recorded right after the SQLite copy, whatever is written during the copy", async () => {
    const live = await open(join(root, "live"));
    const kept = await live.ingest({
      workspace: "team",
      name: "kept.md",
      bytes: encode(documentText("Redis", 1)),
    });
    const deletedLater = await live.ingest({
      workspace: "team",
      name: "gone.md",
      bytes: encode(documentText("JVM", 2)),
    });
    const stages: string[] = [];
    let addedLater = "";
    const manifest = await createBackup({
      dataDir: live.dataDir,
      archivePath: join(root, "backup.tar.gz"),
      onProgress: async (stage) => {
        stages.push(stage);
        if (stage !== "versions-recorded") return;
        // Between recording the versions and copying the tables: newer LanceDB versions land in the copy.
        addedLater = (
          await live.ingest({ workspace: "team", name: "new.md", bytes: encode(documentText("Kafka", 3)) })
        ).document.id;
        await live.deleteDocument("team", deletedLater.document.id);
      },
    });
    expect(stages).toEqual([
      "database-copied",
      "versions-recorded",
      "lancedb-copied",
      "files-copied",
      "packed",
    ]);
    expect(manifest.counts).toMatchObject({
      documents: 2,
      chunks: kept.document.chunks + deletedLater.document.chunks,
    });

    const restoredDir = join(root, "restored");
    await restoreBackup({ archivePath: join(root, "backup.tar.gz"), dataDir: restoredDir });
    const restored = await open(restoredDir);
    expect(restored.listDocuments("team").map((document) => document.name)).toEqual(["gone.md", "kept.md"]);
    expect(await restored.listChunks("team", deletedLater.document.id)).toHaveLength(
      deletedLater.document.chunks,
    );
    const { results } = await restored.search({
      workspace: "team",
      query: "Kafka 分区",
      mode: "vector",
      limit: 50,
    });
    expect(results.some((result) => result.documentId === addedLater)).toBe(false);
    expect(new Set(results.map((result) => result.documentId))).toEqual(
      new Set([kept.document.id, deletedLater.document.id]),
    );
  });

  it("refuses to overwrite an existing archive or to back up a folder without data", async () => {
    const live = await open(join(root, "live"));
    await live.ingest({ workspace: "team", name: "a.md", bytes: encode(documentText("Redis", 1)) });
    const archivePath = join(root, "backup.tar.gz");
    await createBackup({ dataDir: live.dataDir, archivePath });
    await expect(createBackup({ dataDir: live.dataDir, archivePath })).rejects.toMatchObject({
      code: "conflict:file",
    });
    await expect(
      createBackup({ dataDir: join(root, "nothing"), archivePath: join(root, "other.tar.gz") }),
    ).rejects.toMatchObject({ code: "not_found:data", message: expect.stringContaining("DATA_DIR") });
  });
});
