import { describe, expect, it } from "vitest";
import { createApiClient } from "./api-client";
import { ApiError } from "./api-error";
import { type ChatStreamEvent, streamChat } from "./chat-stream";

/** A fake network: answers every request with the given SSE text, cut into small byte pieces. */
function fakeServer(text: string, status = 200) {
  const requests: Request[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const request = new Request(input, init);
    requests.push(request);
    const bytes = new TextEncoder().encode(text);
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 5)
          controller.enqueue(bytes.slice(offset, offset + 5));
        controller.close();
      },
    });
    const contentType = status === 200 ? "text/event-stream" : "application/json";
    return new Response(body, { status, headers: { "content-type": contentType } });
  };
  return { client: createApiClient({ baseUrl: "http://zhiku.test", fetch }), requests };
}

async function collect(stream: AsyncGenerator<ChatStreamEvent>) {
  const events: ChatStreamEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const source = {
  index: 1,
  documentId: "d1",
  documentName: "手册.pdf",
  chunkId: "c1",
  text: "年假 15 天",
  page: 3,
  score: 0.8,
};

describe("streamChat", () => {
  it("yields the rerank summary of the sources event when the server sends one", async () => {
    const rerank = {
      applied: false,
      model: "bge-reranker-v2-m3",
      fallbackReason: "Reranker at …: not reachable",
    };
    const { client } = fakeServer(
      `event: sources\ndata: ${JSON.stringify({ sources: [source], rerank })}\n\n` +
        'event: done\ndata: {"threadId":"t1","messageId":"m2","status":"done"}\n\n',
    );
    const events = await collect(streamChat({ client, slug: "hr", body: { message: "年假?" } }));
    expect(events[0]).toEqual({ type: "sources", sources: [source], rerank });

    const plain = fakeServer(
      `event: sources\ndata: ${JSON.stringify({ sources: [source], rerank: { applied: "yes" } })}\n\n` +
        'event: done\ndata: {"threadId":"t1","messageId":"m2","status":"done"}\n\n',
    );
    const withoutSummary = await collect(
      streamChat({ client: plain.client, slug: "hr", body: { message: "年假?" } }),
    );
    expect(withoutSummary[0]).toEqual({ type: "sources", sources: [source] });
  });

  it("posts the question as JSON asking for SSE, and yields sources, tokens and done", async () => {
    const { client, requests } = fakeServer(
      `event: sources\ndata: ${JSON.stringify({ sources: [source] })}\n\n` +
        'event: token\ndata: {"text":"年假"}\n\n' +
        'event: token\ndata: {"text":"有 15 天[1]"}\n\n' +
        'event: done\ndata: {"threadId":"t1","messageId":"m2","status":"done"}\n\n',
    );
    const events = await collect(
      streamChat({ client, slug: "hr", body: { message: "年假几天？", mode: "query" } }),
    );
    expect(events).toEqual([
      { type: "sources", sources: [source] },
      { type: "token", text: "年假" },
      { type: "token", text: "有 15 天[1]" },
      { type: "done", threadId: "t1", messageId: "m2", status: "done" },
    ]);
    const request = requests[0]!;
    expect(request.method).toBe("POST");
    expect(new URL(request.url).pathname).toBe("/api/workspaces/hr/chat");
    expect(request.headers.get("accept")).toBe("text/event-stream");
    expect(await request.json()).toEqual({ message: "年假几天？", mode: "query" });
  });

  it("says when the answer ended because it was stopped (and reads an older server's done as finished)", async () => {
    const stopped = fakeServer(
      'event: done\ndata: {"threadId":"t1","messageId":"m3","status":"stopped"}\n\n',
    );
    expect(await collect(streamChat({ client: stopped.client, slug: "hr", body: { message: "q" } }))).toEqual(
      [{ type: "done", threadId: "t1", messageId: "m3", status: "stopped" }],
    );
    const older = fakeServer('event: done\ndata: {"threadId":"t1","messageId":"m4"}\n\n');
    expect(await collect(streamChat({ client: older.client, slug: "hr", body: { message: "q" } }))).toEqual([
      { type: "done", threadId: "t1", messageId: "m4", status: "done" },
    ]);
  });

  it("throws the server's error event with its code and message", async () => {
    const { client } = fakeServer(
      'event: token\ndata: {"text":"partial"}\n\n' +
        'event: error\ndata: {"code":"unavailable:ollama","message":"Ollama is not reachable"}\n\n',
    );
    const events: ChatStreamEvent[] = [];
    const failure = await (async () => {
      for await (const event of streamChat({ client, slug: "hr", body: { message: "q" } }))
        events.push(event);
    })().catch((error: unknown) => error);
    expect(events).toEqual([{ type: "token", text: "partial" }]);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).code).toBe("unavailable:ollama");
    expect((failure as ApiError).message).toBe("Ollama is not reachable");
  });

  it("reports a stream cut before done instead of treating it as a full answer", async () => {
    const { client } = fakeServer('event: token\ndata: {"text":"half"}\n\n');
    await expect(collect(streamChat({ client, slug: "hr", body: { message: "q" } }))).rejects.toMatchObject({
      code: "incomplete:stream",
    });
  });

  it("turns an error response into a readable ApiError", async () => {
    const { client } = fakeServer(
      '{"error":{"code":"not_found:workspace","message":"No workspace hr"}}',
      404,
    );
    await expect(collect(streamChat({ client, slug: "hr", body: { message: "q" } }))).rejects.toMatchObject({
      code: "not_found:workspace",
      message: "No workspace hr",
      status: 404,
    });
  });
});
