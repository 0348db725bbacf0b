import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Listening, listenOnLoopback } from "../testing/listen.js";
import { createTestServer, type TestServer } from "../testing/test-server.js";

describe("POST /v1/embeddings driven by the openai client", () => {
  let server: TestServer;
  let listener: Listening;
  let client: OpenAI;

  beforeEach(async () => {
    server = await createTestServer();
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "redis.md",
      bytes: new TextEncoder().encode("# Redis\n\nMULTI queues commands and EXEC runs them.\n"),
    });
    listener = await listenOnLoopback(server.app);
    client = new OpenAI({
      baseURL: `${listener.baseUrl}/v1`,
      apiKey: server.admin.apiKey,
      maxRetries: 0,
    });
  });

  afterEach(async () => {
    await listener.close();
    await server.close();
  });

  it("embeds with the workspace's embedding model, in input order, as the workspace's vectors are made", async () => {
    const texts = ["MULTI queues commands", "复制算法把内存分成两块"];
    const expected = await server.deps.kb.embedder.embed(texts);
    // The client asks for base64 by default and decodes it; float is asked for explicitly.
    for (const encoding_format of [undefined, "float"] as const) {
      const response = await client.embeddings.create({
        model: "docs",
        input: texts,
        ...(encoding_format ? { encoding_format } : {}),
      });
      expect(response.model).toBe(server.deps.kb.getWorkspace("docs")?.embedModel);
      expect(response.data.map((item) => item.index)).toEqual([0, 1]);
      response.data.forEach((item, index) => {
        const want = expected[index] ?? [];
        expect(item.embedding).toHaveLength(want.length);
        for (const [position, value] of item.embedding.entries()) {
          expect(value).toBeCloseTo(want[position] ?? Number.NaN, 6);
        }
      });
      expect(response.usage.prompt_tokens).toBeGreaterThan(0);
    }
    const single = await client.embeddings.create({ model: "docs", input: "EXEC", encoding_format: "float" });
    expect(single.data).toHaveLength(1);
  });

  it("answers an unknown model 404 and bad input 400, in OpenAI's error shape", async () => {
    await expect(client.embeddings.create({ model: "nope", input: "x" })).rejects.toMatchObject({
      status: 404,
      code: "not_found:model",
    });
    await expect(client.embeddings.create({ model: "docs", input: [] })).rejects.toMatchObject({
      status: 400,
    });
    await expect(
      client.embeddings.create({ model: "docs", input: "x", dimensions: 3 }),
    ).rejects.toMatchObject({
      status: 400,
      code: "invalid:dimensions",
    });
  });

  it("hides a workspace outside an API key's limit", async () => {
    await server.deps.kb.createWorkspace({ name: "Other" });
    const created = await server.admin.request("/api/api-keys", {
      as: "session",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "other only", workspace: "other" }),
    });
    const { key } = (await created.json()) as { key: string };
    const limited = new OpenAI({ baseURL: `${listener.baseUrl}/v1`, apiKey: key, maxRetries: 0 });
    await expect(limited.embeddings.create({ model: "docs", input: "x" })).rejects.toMatchObject({
      status: 404,
    });
    const allowed = await limited.embeddings.create({ model: "other", input: "x", encoding_format: "float" });
    expect(allowed.data[0]?.embedding.length).toBeGreaterThan(0);
  });
});
