import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isZhikuError } from "./errors.js";
import { type KnowledgeBase, openKnowledgeBase } from "./knowledge-base.js";
import type { Embedder } from "./types.js";

/**
 * A lexical embedder for store tests: Latin words and CJK character pairs hashed into buckets. The store is what
 * these tests check; embedding through Ollama is tested in embed/.
 */
function lexicalEmbedder(model = "test-embed", dimension = 64): Embedder & { calls: number } {
  const embedOne = (text: string): number[] => {
    const vector = new Array<number>(dimension).fill(0);
    const terms = text.toLowerCase().match(/[a-z0-9]+|\p{Script=Han}{1,2}/gu) ?? [];
    for (const term of terms) {
      let hash = 2166136261;
      for (const character of term) hash = Math.imul(hash ^ character.codePointAt(0)!, 16777619);
      vector[Math.abs(hash) % dimension]! += 1;
    }
    const norm = Math.hypot(...vector) || 1;
    return vector.map((value) => value / norm);
  };
  return {
    model,
    calls: 0,
    async dimension() {
      return dimension;
    },
    async embed(texts) {
      this.calls++;
      return texts.map(embedOne);
    },
  };
}

const encode = (text: string) => new TextEncoder().encode(text);

describe("KnowledgeBase", () => {
  let dataDir: string;
  let knowledgeBase: KnowledgeBase;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-kb-"));
    knowledgeBase = await openKnowledgeBase({ dataDir, embedder: lexicalEmbedder() });
  });

  afterEach(async () => {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("ingests Markdown and finds Chinese terms and exact codes in every mode", async () => {
    const outcome = await knowledgeBase.ingest({
      workspace: "team",
      name: "guide/redis.md",
      bytes: encode(
        "# Redis 持久化\n\nRDB 快照把内存数据定期写入磁盘。错误码 ERR-4312 表示磁盘已满。\n\n## AOF\n\nAOF 记录每一条写命令。\n",
      ),
    });
    expect(outcome.status).toBe("ingested");
    expect(outcome.document).toMatchObject({ name: "guide/redis.md", status: "ready", type: "markdown" });
    expect(outcome.document.chunks).toBeGreaterThan(0);
    await knowledgeBase.ingest({
      workspace: "team",
      name: "jvm.md",
      bytes: encode("# 垃圾回收\n\nG1 收集器把堆划分为多个区域。\n"),
    });

    for (const mode of ["fulltext", "vector", "hybrid"] as const) {
      const { results } = await knowledgeBase.search({ workspace: "team", query: "快照", mode });
      expect(results[0]?.documentName, mode).toBe("guide/redis.md");
    }
    const code = await knowledgeBase.search({ workspace: "team", query: "ERR-4312", mode: "fulltext" });
    expect(code.results.map((result) => result.documentName)).toEqual(["guide/redis.md"]);
    const hit = code.results[0]!;
    expect(hit.text).toContain("ERR-4312");
    expect(hit.headings).toEqual(["Redis 持久化"]);
    expect(hit.chunkId).toMatch(/^[0-9a-f-]{36}:[0-9a-f]{12}:\d+$/);
    expect(knowledgeBase.requireWorkspace("team")).toMatchObject({
      embedModel: "test-embed",
      embedDimension: 64,
    });
  });

  it("skips unchanged content and swaps the chunks of changed content", async () => {
    const first = await knowledgeBase.ingest({
      workspace: "w",
      name: "a.txt",
      bytes: encode("旧版本的内容：端口 6379。"),
    });
    const again = await knowledgeBase.ingest({
      workspace: "w",
      name: "a.txt",
      bytes: encode("旧版本的内容：端口 6379。"),
    });
    expect(again.status).toBe("skipped");
    expect(again.document.id).toBe(first.document.id);

    const changed = await knowledgeBase.ingest({
      workspace: "w",
      name: "a.txt",
      bytes: encode("新版本的内容：端口 7000。"),
    });
    expect(changed.status).toBe("ingested");
    expect(changed.document.id).toBe(first.document.id);
    expect(knowledgeBase.listDocuments("w")).toHaveLength(1);
    const chunks = await knowledgeBase.listChunks("w", first.document.id);
    expect(chunks.map((chunk) => chunk.text)).toEqual(["新版本的内容：端口 7000。"]);
    expect((await knowledgeBase.search({ workspace: "w", query: "6379", mode: "fulltext" })).results).toEqual(
      [],
    );
    expect(
      (await knowledgeBase.search({ workspace: "w", query: "7000", mode: "fulltext" })).results,
    ).toHaveLength(1);
  });

  it("never shows a reader both versions of a document, or neither, while it is replaced", async () => {
    const paragraphs = (tag: string) =>
      Array.from({ length: 40 }, (_, index) => `版本${tag} 第${index}段：这是用于测试原子替换的段落。`).join(
        "\n\n",
      );
    const { document } = await knowledgeBase.ingest({
      workspace: "w",
      name: "big.md",
      bytes: encode(paragraphs("A")),
      chunkOptions: { chunkSize: 20, chunkOverlap: 0 },
    });
    const observed = new Set<string>();
    let replacing = true;
    const reader = (async () => {
      while (replacing) {
        const chunks = await knowledgeBase.listChunks("w", document.id);
        const versions = new Set(chunks.map((chunk) => chunk.chunkId.split(":")[1]));
        observed.add(`${versions.size}`);
      }
    })();
    for (const tag of ["B", "C", "D"]) {
      await knowledgeBase.ingest({
        workspace: "w",
        name: "big.md",
        bytes: encode(paragraphs(tag)),
        chunkOptions: { chunkSize: 20, chunkOverlap: 0 },
      });
    }
    replacing = false;
    await reader;
    expect([...observed]).toEqual(["1"]);
  });

  it("doubles no chunk when a write is cut off between LanceDB and SQLite", async () => {
    const bytes = encode("# 断点\n\n第一段：写入中途失败。\n\n第二段：重试后不应重复。");
    const put = knowledgeBase.files.put;
    // The chunks are appended, then storing the original fails: as if the process died before SQLite recorded it.
    knowledgeBase.files.put = async () => {
      throw new Error("disk full");
    };
    const failed = await knowledgeBase
      .ingest({ workspace: "w", name: "cut.md", bytes })
      .catch((error) => error);
    knowledgeBase.files.put = put;
    expect((failed as Error).message).toBe("disk full");
    const [row] = knowledgeBase.listDocuments("w");
    expect(row).toMatchObject({ name: "cut.md", status: "failed" });

    const retried = await knowledgeBase.ingest({ workspace: "w", name: "cut.md", bytes });
    expect(retried.status).toBe("ingested");
    const chunks = await knowledgeBase.listChunks("w", retried.document.id);
    expect(chunks).toHaveLength(retried.document.chunks);
    expect(new Set(chunks.map((chunk) => chunk.chunkId)).size).toBe(chunks.length);
    const found = await knowledgeBase.search({ workspace: "w", query: "重试后不应重复", mode: "fulltext" });
    expect(found.results).toHaveLength(1);
  });

  it("stores a batch of files in one write, each failing alone", async () => {
    const results = await knowledgeBase.ingestBatch([
      { workspace: "w", name: "a.md", bytes: encode("# 甲\n\n第一篇文档。") },
      { workspace: "w", name: "empty.txt", bytes: new Uint8Array() },
      { workspace: "w", name: "b.md", bytes: encode("# 乙\n\n第二篇文档。") },
    ]);
    expect(results.map((result) => ("error" in result ? "error" : result.status))).toEqual([
      "ingested",
      "error",
      "ingested",
    ]);
    expect(knowledgeBase.listDocuments("w").map((document) => [document.name, document.status])).toEqual([
      ["a.md", "ready"],
      ["b.md", "ready"],
    ]);
  });

  it("embeds several documents of a batch at once, keeping results in order", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "zhiku-kb-overlap-"));
    const inner = lexicalEmbedder();
    let inFlight = 0;
    let mostInFlight = 0;
    // Ollama answering slowly: while one document waits, the next ones are parsed and sent.
    const slow: Embedder = {
      model: inner.model,
      dimension: () => inner.dimension(),
      async embed(texts) {
        inFlight++;
        mostInFlight = Math.max(mostInFlight, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 20));
        inFlight--;
        return inner.embed(texts);
      },
    };
    const batchBase = await openKnowledgeBase({ dataDir, embedder: slow });
    try {
      const names = ["a", "b", "c", "d", "e", "f"];
      const results = await batchBase.ingestBatch(
        names.map((name) => ({
          workspace: "w",
          name: `${name}.md`,
          bytes: encode(`# ${name}\n\n文档 ${name}。`),
        })),
      );
      expect(mostInFlight).toBeGreaterThan(1);
      expect(results.map((result) => ("document" in result ? result.document.name : "error"))).toEqual(
        names.map((name) => `${name}.md`),
      );
    } finally {
      await batchBase.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("deletes a document with its chunks and full-text entries", async () => {
    const { document } = await knowledgeBase.ingest({
      workspace: "w",
      name: "gone.md",
      bytes: encode("# 删除\n\n独特的词语：紫色长颈鹿。"),
    });
    await knowledgeBase.ingest({ workspace: "w", name: "kept.md", bytes: encode("# 保留\n\n另一篇文档。") });
    await knowledgeBase.deleteDocument("w", document.id);
    expect(knowledgeBase.getDocument("w", document.id)).toBeUndefined();
    expect(
      (await knowledgeBase.search({ workspace: "w", query: "紫色长颈鹿", mode: "fulltext" })).results,
    ).toEqual([]);
    await expect(knowledgeBase.listChunks("w", document.id)).rejects.toMatchObject({
      code: "not_found:document",
    });
    expect(knowledgeBase.listDocuments("w").map((item) => item.name)).toEqual(["kept.md"]);
  });

  it("stores nothing of a bad file and keeps what was stored before", async () => {
    await knowledgeBase.ingest({ workspace: "w", name: "good.md", bytes: encode("# 好\n\n正常的文档。") });
    const empty = await knowledgeBase
      .ingest({ workspace: "w", name: "empty.txt", bytes: new Uint8Array() })
      .catch((error) => error);
    expect(isZhikuError(empty, "invalid:empty")).toBe(true);
    expect((empty as Error).message).toContain("empty.txt");
    const tooBig = await knowledgeBase
      .ingest({ workspace: "w", name: "big.txt", bytes: encode("x".repeat(2000)), maxBytes: 1000 })
      .catch((error) => error);
    expect(isZhikuError(tooBig, "too_large:file")).toBe(true);
    expect(knowledgeBase.listDocuments("w").map((item) => item.name)).toEqual(["good.md"]);

    // A changed version that fails leaves the stored version searchable and says why.
    const good = knowledgeBase.listDocuments("w")[0]!;
    await expect(
      knowledgeBase.ingest({ workspace: "w", name: "good.md", bytes: new Uint8Array() }),
    ).rejects.toThrow();
    expect(knowledgeBase.getDocument("w", good.id)).toMatchObject({ status: "failed", chunks: good.chunks });
    expect(
      (await knowledgeBase.search({ workspace: "w", query: "正常", mode: "fulltext" })).results,
    ).toHaveLength(1);
  });

  it("refuses to mix vectors of another embedding model", async () => {
    await knowledgeBase.ingest({ workspace: "w", name: "a.md", bytes: encode("# A\n\n向量模型一。") });
    await knowledgeBase.close();
    knowledgeBase = await openKnowledgeBase({ dataDir, embedder: lexicalEmbedder("other-model", 32) });
    const error = await knowledgeBase
      .ingest({ workspace: "w", name: "b.md", bytes: encode("# B\n\n向量模型二。") })
      .catch((caught) => caught);
    expect(isZhikuError(error, "conflict:embedding_model")).toBe(true);
    expect((error as Error).message).toContain("test-embed");
    // Hybrid search falls back to full text and says why; vector search refuses.
    const response = await knowledgeBase.search({ workspace: "w", query: "向量模型" });
    expect(response.mode).toBe("fulltext");
    expect(response.fallbackReason).toContain("other-model");
    await expect(
      knowledgeBase.search({ workspace: "w", query: "向量", mode: "vector" }),
    ).rejects.toMatchObject({
      code: "conflict:embedding_model",
    });
  });

  it("does not index lines that repeat across many documents of a workspace", async () => {
    const footer = "本站所有文章均为原创，转载请联系编辑部获得授权许可";
    for (const [index, topic] of ["线程池参数", "类加载机制", "分布式事务"].entries()) {
      await knowledgeBase.ingest({
        workspace: "w",
        name: `${index}.md`,
        bytes: encode(`# ${topic}\n\n${topic}的详细说明。\n\n${footer}\n`),
      });
    }
    const { results } = await knowledgeBase.search({
      workspace: "w",
      query: "编辑部获得授权",
      mode: "fulltext",
      limit: 10,
    });
    // The first two were indexed before the line was seen three times; from the third on it is boilerplate.
    expect(results.map((result) => result.documentName).sort()).toEqual(["0.md", "1.md"]);
    const third = knowledgeBase.listDocuments("w").find((document) => document.name === "2.md")!;
    const [chunk] = await knowledgeBase.listChunks("w", third.id);
    expect(chunk?.text).toContain(footer);
  });

  it("does not index a scraped page's trailing listing of other articles", async () => {
    const body = "多模态学习研究如何让系统理解和关联来自不同模态的信息，例如视觉、语言和音频。".repeat(20);
    const listing = [
      ["EmotiVoice语音合成语音备份功能", "在数字时代,我们早已习惯用照片和视频记录亲人的模样..."],
      ["Unix 进程间通信与程序执行机制详解", "管道是所有 Unix 系统都提供的一种进程间通信机制..."],
      ["3分钟学会用markmap", "Visualize markdown documents as mindmaps..."],
    ].flatMap(([title, teaser], index) => [
      title,
      "",
      teaser,
      "",
      `张小明 2026/1/${index + 5} 4:27:40 网站建设`,
      "",
    ]);
    await knowledgeBase.ingest({
      workspace: "w",
      name: "page.txt",
      bytes: encode(["多模态大模型", "", body, "", ...listing].join("\n")),
    });
    // As the CLI does at the end of a run and the server when its queue goes idle.
    await knowledgeBase.optimize("w");
    const search = async (query: string) =>
      (await knowledgeBase.search({ workspace: "w", query, mode: "fulltext", limit: 10 })).results;
    expect(await search("EmotiVoice")).toEqual([]);
    expect(await search("进程间通信")).toEqual([]);
    expect(new Set((await search("多模态学习")).map((result) => result.documentName))).toEqual(
      new Set(["page.txt"]),
    );
  });

  it("creates, renames and deletes workspaces", async () => {
    const created = knowledgeBase.createWorkspace({ name: "Platform Team" });
    expect(created.slug).toBe("platform-team");
    expect(() => knowledgeBase.createWorkspace({ name: "Platform Team" })).toThrow(/already exists/);
    expect(knowledgeBase.createWorkspace({ name: "知识库" }).slug).toMatch(/^ws-[0-9a-f]{8}$/);
    const updated = knowledgeBase.updateWorkspace("platform-team", {
      name: "Platform",
      settings: { topK: 8 },
    });
    expect(updated).toMatchObject({ name: "Platform", settings: { topK: 8 } });
    await knowledgeBase.ingest({ workspace: "platform-team", name: "a.md", bytes: encode("# A\n\n内容。") });
    await knowledgeBase.deleteWorkspace("platform-team");
    expect(knowledgeBase.getWorkspace("platform-team")).toBeUndefined();
    expect(() => knowledgeBase.requireWorkspace("platform-team")).toThrow(/No workspace/);
  });
});

describe("KnowledgeBase.reembed", () => {
  it("moves a workspace to a new embedding model without mixing vectors", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "zhiku-kb-reembed-"));
    try {
      const first = await openKnowledgeBase({ dataDir, embedder: lexicalEmbedder("model-a", 64) });
      for (let index = 0; index < 5; index++) {
        await first.ingest({
          workspace: "w",
          name: `${index}.md`,
          bytes: encode(`# 文档${index}\n\n第${index}篇：缓存穿透与布隆过滤器。`),
        });
      }
      const before = await first.search({ workspace: "w", query: "布隆过滤器", mode: "fulltext" });
      await first.close();

      const second = await openKnowledgeBase({ dataDir, embedder: lexicalEmbedder("model-b", 48) });
      try {
        await expect(second.search({ workspace: "w", query: "布隆", mode: "vector" })).rejects.toMatchObject({
          code: "conflict:embedding_model",
        });
        const progress: number[] = [];
        const { chunks } = await second.reembed("w", { onProgress: (done) => progress.push(done) });
        expect(chunks).toBe(5);
        expect(progress.at(-1)).toBe(5);
        expect(second.requireWorkspace("w")).toMatchObject({ embedModel: "model-b", embedDimension: 48 });
        const vector = await second.search({ workspace: "w", query: "布隆过滤器", mode: "vector" });
        expect(vector.results).toHaveLength(5);
        const after = await second.search({ workspace: "w", query: "布隆过滤器", mode: "fulltext" });
        expect(after.results.map((result) => result.chunkId).sort()).toEqual(
          before.results.map((result) => result.chunkId).sort(),
        );
        // New documents go into the new table with the new model.
        const added = await second.ingest({
          workspace: "w",
          name: "new.md",
          bytes: encode("# 新\n\n新的文档。"),
        });
        expect(added.status).toBe("ingested");
      } finally {
        await second.close();
      }
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

describe("KnowledgeBase.search without Ollama", () => {
  it("falls back to full text after one quick retry instead of ingestion's backoff", async () => {
    const { startStandInOllama } = await import("@zhiku/stand-in-ollama");
    const { createOllamaEmbedder } = await import("./embed/index.js");
    const ollama = await startStandInOllama({ port: 0, embeddingDimension: 32 });
    const dataDir = await mkdtemp(join(tmpdir(), "zhiku-kb-offline-"));
    const knowledgeBase = await openKnowledgeBase({
      dataDir,
      embedder: createOllamaEmbedder({ host: ollama.url, model: "bge-m3", retryDelayMs: 1 }),
    });
    try {
      await knowledgeBase.ingest({
        workspace: "w",
        name: "a.md",
        bytes: encode("# 离线\n\nOllama 不可用时仍可全文检索。"),
      });
      await knowledgeBase.optimize("w");
      ollama.setOptions({ unavailable: true });
      const before = ollama.requests.filter((request) => request.path === "/api/embed").length;
      const response = await knowledgeBase.search({ workspace: "w", query: "全文检索" });
      expect(response.mode).toBe("fulltext");
      expect(response.fallbackReason).toMatch(/Ollama/);
      expect(response.results[0]?.documentName).toBe("a.md");
      expect(ollama.requests.filter((request) => request.path === "/api/embed").length - before).toBe(2);
    } finally {
      await knowledgeBase.close();
      await ollama.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
