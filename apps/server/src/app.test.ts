import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, readEvents, type TestServer } from "./testing/test-server.js";

const json = (body: unknown, method = "POST") => ({
  method,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json" },
});

describe("app", () => {
  let server: TestServer;
  let webRoot: string;

  beforeAll(async () => {
    webRoot = await mkdtemp(join(tmpdir(), "zhiku-web-"));
    await writeFile(join(webRoot, "index.html"), "<!doctype html><title>Zhiku</title><div id=root></div>");
    await writeFile(join(webRoot, "app.js"), "console.log('zhiku')");
    server = await createTestServer({ deps: { webRoot } });
  });

  afterAll(async () => {
    await server?.close();
    await rm(webRoot, { recursive: true, force: true });
  });

  describe("health", () => {
    it("is ok when Ollama answers with both models", async () => {
      const response = await server.request("/api/health");
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({
        status: "ok",
        ollama: {
          reachable: true,
          chatModel: { name: "qwen2.5:7b", available: true },
          embedModel: { name: "bge-m3", available: true },
          checkedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        },
        missingModels: [],
      });
    });

    it("answers polls that come together from one request to Ollama", async () => {
      server.deps.ollamaStatus.invalidate();
      const asked = () => server.standIn.requests.filter((request) => request.path === "/api/tags").length;
      const before = asked();
      const polls = await Promise.all(Array.from({ length: 5 }, () => server.request("/api/health")));
      const bodies = (await Promise.all(polls.map((poll) => poll.json()))) as {
        ollama: { checkedAt: string };
      }[];
      expect(asked() - before).toBe(1);
      expect(new Set(bodies.map((body) => body.ollama.checkedAt)).size).toBe(1);
    });

    it("is degraded when a model is missing or Ollama is down", async () => {
      server.standIn.setOptions({ models: ["bge-m3"] });
      try {
        // The latest status is answered until it is old; `Cache-Control: no-cache` has Ollama asked now.
        const cached = (await (await server.request("/api/health")).json()) as Record<string, unknown>;
        expect(cached).toMatchObject({ status: "ok" });
        const missing = await server.request("/api/health", { headers: { "cache-control": "no-cache" } });
        expect(await missing.json()).toEqual({
          status: "degraded",
          ollama: {
            reachable: true,
            chatModel: { name: "qwen2.5:7b", available: false },
            embedModel: { name: "bge-m3", available: true },
            checkedAt: expect.any(String),
          },
          missingModels: ["qwen2.5:7b"],
        });
        // Pulling the missing model makes the next check ask again, with no wait for the status to age.
        const pull = await server.request("/api/models/pull", json({ name: "qwen2.5:7b" }));
        const pulled = await readEvents(pull, (event) => event.event === "done" || event.event === "error");
        expect(pulled.at(-1)?.event).toBe("done");
        const healed = (await (await server.request("/api/health")).json()) as Record<string, unknown>;
        expect(healed).toMatchObject({ status: "ok", missingModels: [] });
        server.standIn.setOptions({ unavailable: "close" });
        const down = await server.request("/api/health", {
          headers: { "cache-control": "max-age=0, no-cache" },
        });
        expect(down.status).toBe(200);
        expect(await down.json()).toEqual({
          status: "degraded",
          ollama: {
            reachable: false,
            chatModel: { name: "qwen2.5:7b", available: false },
            embedModel: { name: "bge-m3", available: false },
            checkedAt: expect.any(String),
          },
          missingModels: [],
        });
        const models = await server.request("/api/models");
        expect(models.status).toBe(503);
        expect(((await models.json()) as { error: { code: string } }).error.code).toBe("unavailable:ollama");
      } finally {
        server.standIn.setOptions({ unavailable: false, models: ["bge-m3", "qwen2.5:7b"] });
      }
    });
  });

  describe("models", () => {
    it("lists installed models", async () => {
      const response = await server.request("/api/models");
      expect(response.status).toBe(200);
      const body = (await response.json()) as { models: { name: string }[] };
      expect(body.models.map((model) => model.name).sort()).toEqual(["bge-m3:latest", "qwen2.5:7b"]);
    });

    it("streams pull progress as SSE, then done", async () => {
      const response = await server.request("/api/models/pull", json({ name: "llama3.2:1b" }));
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/event-stream");
      const events = await readEvents(response, (event) => event.event === "done" || event.event === "error");
      expect(events.at(-1)).toEqual({ event: "done", data: JSON.stringify({ name: "llama3.2:1b" }) });
      expect(events.filter((event) => event.event === "progress").length).toBeGreaterThan(0);
      const listed = (await (await server.request("/api/models")).json()) as {
        models: { name: string }[];
      };
      expect(listed.models.map((model) => model.name)).toContain("llama3.2:1b");
    });

    it("rejects a pull without a name", async () => {
      const response = await server.request("/api/models/pull", json({}));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe("invalid:name");
    });
  });

  describe("workspaces", () => {
    it("creates, lists, reads, updates and deletes", async () => {
      const created = await server.request("/api/workspaces", json({ name: "Team handbook" }));
      expect(created.status).toBe(201);
      const { workspace } = (await created.json()) as {
        workspace: { slug: string; name: string; settings: object };
      };
      expect(workspace).toMatchObject({ name: "Team handbook", settings: {} });
      expect(workspace.slug).toMatch(/^[a-z0-9-]+$/);

      const list = await server.request("/api/workspaces");
      expect(list.status).toBe(200);
      const listed = (await list.json()) as { workspaces: { slug: string }[] };
      expect(listed.workspaces.map((item) => item.slug)).toContain(workspace.slug);

      const read = await server.request(`/api/workspaces/${workspace.slug}`);
      expect(read.status).toBe(200);
      expect(((await read.json()) as { workspace: { name: string } }).workspace.name).toBe("Team handbook");

      const patched = await server.request(
        `/api/workspaces/${workspace.slug}`,
        json({ name: "Handbook", settings: { topK: 8, mode: "fulltext", temperature: 0.2 } }, "PATCH"),
      );
      expect(patched.status).toBe(200);
      expect(((await patched.json()) as { workspace: object }).workspace).toMatchObject({
        name: "Handbook",
        settings: { topK: 8, mode: "fulltext", temperature: 0.2 },
      });
      const merged = await server.request(
        `/api/workspaces/${workspace.slug}`,
        json({ settings: { topK: null, systemPrompt: "Answer briefly." } }, "PATCH"),
      );
      expect(((await merged.json()) as { workspace: { settings: object } }).workspace.settings).toEqual({
        mode: "fulltext",
        temperature: 0.2,
        systemPrompt: "Answer briefly.",
      });

      const removed = await server.request(`/api/workspaces/${workspace.slug}`, { method: "DELETE" });
      expect(removed.status).toBe(204);
      const gone = await server.request(`/api/workspaces/${workspace.slug}`);
      expect(gone.status).toBe(404);
      expect(await gone.json()).toEqual({
        error: { code: "not_found:workspace", message: expect.stringContaining(workspace.slug) },
      });
    });

    it("answers errors in one shape", async () => {
      const noName = await server.request("/api/workspaces", json({ name: "" }));
      expect(noName.status).toBe(400);
      expect(await noName.json()).toEqual({
        error: { code: "invalid:name", message: expect.stringMatching(/^name: /) },
      });

      const badSlug = await server.request("/api/workspaces", json({ name: "X", slug: "Bad Slug" }));
      expect(badSlug.status).toBe(400);
      expect(((await badSlug.json()) as { error: { code: string } }).error.code).toBe("invalid:slug");

      const badSetting = await server.request("/api/workspaces", json({ name: "X", settings: { topK: 0 } }));
      expect(badSetting.status).toBe(400);
      expect(((await badSetting.json()) as { error: { code: string } }).error.code).toBe(
        "invalid:settings.topK",
      );

      expect((await server.request("/api/workspaces", json({ name: "Twin", slug: "twin" }))).status).toBe(
        201,
      );
      const taken = await server.request("/api/workspaces", json({ name: "Twin", slug: "twin" }));
      expect(taken.status).toBe(409);
      expect(((await taken.json()) as { error: { code: string } }).error.code).toBe("conflict:workspace");

      const patchMissing = await server.request("/api/workspaces/nope", json({ name: "Y" }, "PATCH"));
      expect(patchMissing.status).toBe(404);
      const deleteMissing = await server.request("/api/workspaces/nope", { method: "DELETE" });
      expect(deleteMissing.status).toBe(404);

      const unknown = await server.request("/api/nothing-here");
      expect(unknown.status).toBe(404);
      expect(await unknown.json()).toEqual({
        error: { code: "not_found:route", message: "No route for GET /api/nothing-here" },
      });
    });
  });

  describe("OpenAPI", () => {
    it("describes the routes", async () => {
      const response = await server.request("/api/openapi.json");
      expect(response.status).toBe(200);
      const document = (await response.json()) as {
        openapi: string;
        paths: Record<string, Record<string, unknown>>;
      };
      expect(document.openapi).toMatch(/^3\./);
      for (const path of [
        "/api/health",
        "/api/workspaces",
        "/api/workspaces/{slug}",
        "/api/workspaces/{slug}/documents",
        "/api/workspaces/{slug}/documents/url",
        "/api/workspaces/{slug}/documents/{id}/file",
        "/api/workspaces/{slug}/events",
        "/api/workspaces/{slug}/search",
        "/api/models/pull",
      ]) {
        expect(document.paths[path], path).toBeDefined();
      }
      expect(Object.keys(document.paths["/api/workspaces/{slug}"] ?? {}).sort()).toEqual([
        "delete",
        "get",
        "patch",
      ]);
    });

    it("serves the reference page", async () => {
      const response = await server.request("/api/docs");
      expect(response.status).toBe(200);
      expect(response.headers.get("content-type")).toContain("text/html");
      expect(await response.text()).toContain("/api/openapi.json");
    });
  });

  describe("web client", () => {
    it("serves static files and falls back to index.html for client routes only", async () => {
      const asset = await server.request("/app.js");
      expect(asset.status).toBe(200);
      expect(await asset.text()).toBe("console.log('zhiku')");
      const route = await server.request("/workspaces/docs/chat");
      expect(route.status).toBe(200);
      expect(await route.text()).toContain("<div id=root>");
      const api = await server.request("/api/unknown");
      expect(api.status).toBe(404);
      expect(api.headers.get("content-type")).toContain("application/json");
      const v1 = await server.request("/v1/unknown");
      expect(v1.status).toBe(404);
    });
  });
});
