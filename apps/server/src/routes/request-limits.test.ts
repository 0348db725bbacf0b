import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, filesForm, type TestServer } from "../testing/test-server.js";

/** A body that is valid JSON and `size` bytes long. */
const bigJson = (size: number) => JSON.stringify({ email: "a@example.com", password: "x".repeat(size) });

/** The same bytes as a stream without Content-Length (chunked). */
const chunked = (text: string): RequestInit =>
  ({
    method: "POST",
    headers: { "content-type": "application/json" },
    body: new Blob([text]).stream(),
    duplex: "half",
  }) as RequestInit;

describe("request limits", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer();
    server.deps.kb.createWorkspace({ name: "Docs", slug: "docs" });
  });

  afterAll(async () => {
    await server?.close();
  });

  it("refuses JSON bodies over 1 MB with 413 too_large:request, declared or chunked", async () => {
    const declared = await server.app.request("/api/auth/login", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: bigJson(20 * 1024 * 1024),
    });
    expect(declared.status).toBe(413);
    expect(((await declared.json()) as { error: { code: string } }).error.code).toBe("too_large:request");
    const streamed = await server.request("/api/workspaces", chunked(bigJson(2 * 1024 * 1024)));
    expect(streamed.status).toBe(413);
    expect(((await streamed.json()) as { error: { code: string } }).error.code).toBe("too_large:request");
  });

  it("answers a /v1 body over 4 MB in OpenAI's error shape", async () => {
    const response = await server.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "docs",
        messages: [{ role: "user", content: "x".repeat(5 * 1024 * 1024) }],
      }),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "too_large:request" },
    });
  });

  it("takes a /v1 conversation of 2 MB, over the /api limit", async () => {
    const response = await server.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "docs",
        messages: [
          { role: "user", content: "x ".repeat(1024 * 1024) },
          { role: "assistant", content: "noted" },
          { role: "user", content: "hi" },
        ],
      }),
    });
    expect(response.status).not.toBe(413);
  });

  it("still takes multipart uploads larger than the JSON limit", async () => {
    const response = await server.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: filesForm([{ name: "big.md", content: `# Big\n\n${"words and more words ".repeat(100_000)}` }]),
    });
    expect(response.status).toBe(202);
  });

  it("validates max_tokens and the other OpenAI fields of /v1/chat/completions", async () => {
    const messages = [{ role: "user", content: "hi" }];
    for (const [field, value] of [
      ["max_tokens", -5],
      ["max_tokens", "x"],
      ["max_tokens", 1.5],
      ["max_completion_tokens", 0],
      ["top_p", 3],
      ["n", 2],
      ["presence_penalty", 9],
      ["stop", 7],
      ["seed", "s"],
    ] as const) {
      const response = await server.request("/v1/chat/completions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ model: "docs", messages, [field]: value }),
      });
      expect(response.status, `${field}=${JSON.stringify(value)}`).toBe(400);
      const body = (await response.json()) as { error: { type: string; code: string; message: string } };
      expect(body.error).toMatchObject({ type: "invalid_request_error", code: `invalid:${field}` });
      expect(body.error.message).toContain(field);
    }
    const accepted = await server.request("/v1/chat/completions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ model: "docs", messages, max_tokens: 64, top_p: 0.9, n: 1, stop: ["\n\n"] }),
    });
    expect(accepted.status).toBe(200);
  });
});
