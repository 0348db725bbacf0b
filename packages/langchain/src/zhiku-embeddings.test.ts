import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { OllamaEmbeddings } from "@langchain/ollama";
import { type KnowledgeBase, openKnowledgeBase } from "@zhiku/ingest";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { embedderFromLangChain } from "./zhiku-embeddings.js";

describe("embedderFromLangChain: a LangChain Embeddings as Zhiku's embedder", () => {
  let standIn: StandInOllama;
  let dataDir: string;
  let kb: KnowledgeBase | undefined;

  beforeEach(async () => {
    standIn = await startStandInOllama({ embeddingDimension: 64 });
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-langchain-"));
  });

  afterEach(async () => {
    await kb?.close();
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("ingests and finds by vector search through LangChain's OllamaEmbeddings", async () => {
    const embeddings = new OllamaEmbeddings({ baseUrl: standIn.url, model: "bge-m3" });
    const embedder = embedderFromLangChain(embeddings, { model: "bge-m3" });
    expect(await embedder.dimension()).toBe(64);
    kb = await openKnowledgeBase({ dataDir, embedder });
    await kb.ingest({
      workspace: "handbook",
      name: "gc.md",
      bytes: new TextEncoder().encode("# 垃圾回收\n\n复制算法把内存分成两块，每次只使用其中一块。\n"),
    });
    await kb.ingest({
      workspace: "handbook",
      name: "redis.md",
      bytes: new TextEncoder().encode("# Redis\n\nMULTI queues commands and EXEC runs them.\n"),
    });
    const { results, mode } = await kb.search({
      workspace: "handbook",
      query: "复制算法 内存",
      mode: "vector",
    });
    expect(mode).toBe("vector");
    expect(results[0]?.documentName).toBe("gc.md");
    expect(kb.getWorkspace("handbook")?.embedModel).toBe("bge-m3");
  });
});
