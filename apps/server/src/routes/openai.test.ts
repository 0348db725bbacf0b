import OpenAI from "openai";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Listening, listenOnLoopback } from "../testing/listen.js";
import { createTestServer, type TestServer } from "../testing/test-server.js";

describe("OpenAI-compatible API driven by the openai client", () => {
  let server: TestServer;
  let listener: Listening;
  let client: OpenAI;

  beforeEach(async () => {
    server = await createTestServer();
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "redis.md",
      bytes: new TextEncoder().encode(
        "# Redis transactions\n\nMULTI queues commands and EXEC runs them. Redis does not roll back a failed command.\n",
      ),
    });
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "gc.md",
      bytes: new TextEncoder().encode("# 垃圾回收\n\n复制算法把内存分成两块，每次只使用其中一块。\n"),
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

  it("lists each workspace as a model", async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models).toEqual([{ id: "docs", object: "model", created: expect.any(Number), owned_by: "zhiku" }]);
    expect((await client.models.retrieve("docs")).id).toBe("docs");
  });

  it("answers from the workspace without streaming, with usage and citations", async () => {
    const completion = await client.chat.completions.create({
      model: "docs",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "Does Redis roll back a failed command?" },
      ],
    });
    expect(completion.object).toBe("chat.completion");
    expect(completion.model).toBe("docs");
    const content = completion.choices[0]?.message.content ?? "";
    expect(content).toMatch(/^Regarding "Does Redis roll back a failed command\?"/);
    expect(content).toContain("[1]");
    expect(completion.choices[0]?.finish_reason).toBe("stop");
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage?.total_tokens).toBe(
      (completion.usage?.prompt_tokens ?? 0) + (completion.usage?.completion_tokens ?? 0),
    );
    const chat = server.standIn.requests.find((entry) => entry.path === "/api/chat");
    const body = chat?.body as {
      options: { num_ctx: number };
      messages: Array<{ role: string; content: string }>;
    };
    expect(body.options.num_ctx).toBe(8192);
    expect(body.messages[0]?.content).toContain("Answer briefly.");
    // Not stored as a thread: OpenAI clients keep their own history.
    expect(server.deps.kb.db.prepare("SELECT COUNT(*) AS count FROM threads").get()).toEqual({ count: 0 });
  });

  it("caps the answer at max_tokens (Ollama's num_predict) and says finish_reason length, streamed or not", async () => {
    const question = { role: "user" as const, content: "Does Redis roll back a failed command?" };
    const whole = await client.chat.completions.create({ model: "docs", messages: [question] });
    const capped = await client.chat.completions.create({
      model: "docs",
      messages: [question],
      max_tokens: 3,
    });
    expect(capped.choices[0]?.finish_reason).toBe("length");
    const cappedText = capped.choices[0]?.message.content ?? "";
    expect(cappedText.length).toBeGreaterThan(0);
    expect(whole.choices[0]?.message.content?.startsWith(cappedText)).toBe(true);
    expect(cappedText.length).toBeLessThan(whole.choices[0]?.message.content?.length ?? 0);
    const chats = server.standIn.requests.filter((entry) => entry.path === "/api/chat");
    const lastBody = chats.at(-1)?.body as { options?: { num_predict?: number } } | undefined;
    expect(lastBody?.options?.num_predict).toBe(3);

    const stream = await client.chat.completions.create({
      model: "docs",
      messages: [question],
      max_completion_tokens: 2,
      stream: true,
    });
    const reasons: Array<string | null> = [];
    for await (const chunk of stream) reasons.push(chunk.choices[0]?.finish_reason ?? null);
    expect(reasons.at(-1)).toBe("length");
  });

  it("streams chunks in Chinese for a Chinese question, uses earlier messages as history, ends with usage", async () => {
    const stream = await client.chat.completions.create({
      model: "docs",
      stream: true,
      stream_options: { include_usage: true },
      messages: [
        { role: "user", content: "什么是复制算法？" },
        { role: "assistant", content: "复制算法把内存分成两块 [1]。" },
        { role: "user", content: "它有什么缺点？" },
      ],
    });
    let text = "";
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    let chunks = 0;
    for await (const chunk of stream) {
      chunks += 1;
      expect(chunk.object).toBe("chat.completion.chunk");
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(chunks).toBeGreaterThan(3);
    expect(text).toMatch(/^关于「它有什么缺点？」/);
    expect(finish).toBe("stop");
    expect(usage?.completion_tokens).toBeGreaterThan(0);
    const chats = server.standIn.requests.filter((entry) => entry.path === "/api/chat");
    // The follow-up was rewritten (non-streamed call) before the streamed answer.
    expect(chats[0]?.body).toMatchObject({ stream: false });
    expect(JSON.stringify(chats[0]?.body)).toContain("什么是复制算法");
    const answer = chats[1]?.body as { messages: Array<{ role: string }> };
    expect(answer.messages.map((message) => message.role)).toEqual(["system", "user", "assistant", "user"]);
  });

  it("reports errors in OpenAI's shape, which the client raises", async () => {
    const missing = client.chat.completions.create({
      model: "nope",
      messages: [{ role: "user", content: "hi" }],
    });
    await expect(missing).rejects.toMatchObject({
      status: 404,
      error: { type: "not_found_error", code: "not_found:model", message: expect.stringContaining("nope") },
    });
    await expect(missing).rejects.toBeInstanceOf(OpenAI.NotFoundError);

    server.standIn.setOptions({ unavailable: "close" });
    await expect(
      client.chat.completions.create({ model: "docs", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status: 503, error: { code: "unavailable:ollama" } });
  });

  it("rejects an invalid request with a 400 in OpenAI's shape", async () => {
    await expect(client.chat.completions.create({ model: "docs", messages: [] })).rejects.toMatchObject({
      status: 400,
      error: { type: "invalid_request_error", code: "invalid:messages" },
    });
    await expect(
      client.chat.completions.create({
        model: "docs",
        messages: [{ role: "assistant", content: "only me" }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.BadRequestError);
  });

  it("raises an Ollama failure in the middle of a stream as an APIError", async () => {
    server.standIn.setOptions({ failures: { chat: { status: 500, times: 1 } } });
    const stream = await client.chat.completions.create({
      model: "docs",
      stream: true,
      messages: [{ role: "user", content: "Does Redis roll back?" }],
    });
    const read = async () => {
      for await (const _chunk of stream) {
        // drain
      }
    };
    await expect(read()).rejects.toMatchObject({ error: { code: "unavailable:ollama" } });
  });
});
