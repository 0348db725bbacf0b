import { ZhikuEmbeddings, ZhikuRetriever } from "@zhiku/langchain";
import { askWithZhiku } from "@zhiku/langchain/examples/retrieval-chain";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Listening, listenOnLoopback } from "../testing/listen.js";
import { createTestServer, type TestServer } from "../testing/test-server.js";

describe("@zhiku/langchain against a Zhiku server and the stand-in Ollama", () => {
  let server: TestServer;
  let listener: Listening;
  let baseUrl: string;

  beforeEach(async () => {
    server = await createTestServer();
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "guide/redis.md",
      bytes: new TextEncoder().encode(
        "# Redis\n\n## Transactions\n\nMULTI queues commands and EXEC runs them. Redis does not roll back a failed command.\n",
      ),
    });
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "gc.md",
      bytes: new TextEncoder().encode("# 垃圾回收\n\n复制算法把内存分成两块，每次只使用其中一块。\n"),
    });
    listener = await listenOnLoopback(server.app);
    baseUrl = listener.baseUrl;
  });

  afterEach(async () => {
    await listener.close();
    await server.close();
  });

  it("ZhikuRetriever returns Documents with source, ids, page, headings and score", async () => {
    const retriever = new ZhikuRetriever({
      baseUrl,
      apiKey: server.admin.apiKey,
      workspace: "docs",
      k: 2,
      mode: "fulltext",
    });
    const documents = await retriever.invoke("MULTI EXEC");
    expect(documents.length).toBeGreaterThan(0);
    const [first] = documents;
    expect(first?.pageContent).toContain("EXEC runs them");
    expect(first?.metadata).toMatchObject({
      source: "guide/redis.md",
      page: null,
      headings: ["Redis", "Transactions"],
    });
    expect(first?.metadata.chunkId).toBe(first?.id);
    expect(typeof first?.metadata.documentId).toBe("string");
    expect(first?.metadata.score).toBeGreaterThan(0);
    const chinese = await new ZhikuRetriever({
      baseUrl,
      apiKey: server.admin.apiKey,
      workspace: "docs",
    }).invoke("复制算法");
    expect(chinese[0]?.metadata.source).toBe("gc.md");
  });

  it("ZhikuRetriever reports Zhiku's error code, e.g. for a workspace the key may not see", async () => {
    const retriever = new ZhikuRetriever({ baseUrl, apiKey: server.admin.apiKey, workspace: "nope" });
    await expect(retriever.invoke("x")).rejects.toMatchObject({ code: "not_found:workspace", status: 404 });
  });

  it("the README's retrieval chain answers with ChatOllama and cites the retrieved passage", async () => {
    const answer = await askWithZhiku({
      zhikuUrl: baseUrl,
      apiKey: server.admin.apiKey,
      workspace: "docs",
      ollamaUrl: server.standIn.url,
      model: "qwen2.5:7b",
      question: "Does Redis roll back a failed command?",
    });
    expect(answer).toMatch(/\[1\]/);
    // The chain sent the retrieved passage to the model.
    const chat = server.standIn.requests.filter((request) => request.path === "/api/chat").at(-1);
    expect(JSON.stringify(chat?.body)).toContain("Redis does not roll back a failed command");
  });

  it("ZhikuEmbeddings embeds with the workspace's model, as Zhiku stored it", async () => {
    const embeddings = new ZhikuEmbeddings({
      baseUrl,
      apiKey: server.admin.apiKey,
      workspace: "docs",
      batchSize: 1,
    });
    const texts = ["MULTI queues commands", "复制算法"];
    const vectors = await embeddings.embedDocuments(texts);
    const expected = await server.deps.kb.embedder.embed(texts);
    expect(vectors).toHaveLength(2);
    for (const [index, vector] of vectors.entries()) {
      for (const [position, value] of vector.entries()) {
        expect(value).toBeCloseTo(expected[index]?.[position] ?? Number.NaN, 6);
      }
    }
    expect(await embeddings.embedQuery("EXEC")).toHaveLength(expected[0]?.length ?? 0);
  });
});
