import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../testing/test-server.js";

describe("model routes", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer({ ollama: { models: ["bge-m3", "qwen2.5:7b", "llama3.2:3b"] } });
  });

  afterEach(async () => {
    await server.close();
  });

  it("lists the models installed in Ollama from its /api/tags", async () => {
    const response = await server.request("/api/models");
    expect(response.status).toBe(200);
    const { models } = (await response.json()) as {
      models: Array<{ name: string; size: number; modifiedAt: string; family: string | null }>;
    };
    expect(models.map((model) => model.name)).toEqual(["bge-m3:latest", "qwen2.5:7b", "llama3.2:3b"]);
    expect(models[0]?.family).toBe("bert");
    for (const model of models) {
      expect(model.size).toBeGreaterThan(0);
      expect(Number.isNaN(Date.parse(model.modifiedAt))).toBe(false);
    }
    expect(server.standIn.requests.some((request) => request.path === "/api/tags")).toBe(true);
  });

  it("answers 503 unavailable:ollama naming the host when Ollama is down", async () => {
    server.standIn.setOptions({ unavailable: "close" });
    const response = await server.request("/api/models");
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unavailable:ollama");
    expect(body.error.message).toContain(server.standIn.url);
  });
});
