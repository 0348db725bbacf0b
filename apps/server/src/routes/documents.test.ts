import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, filesForm, readEvents, type TestServer } from "../testing/test-server.js";

const english = `# Lighthouse maintenance

The lighthouse keeper replaces the lamp filament every spring. Salt spray corrodes the brass railings,
so they are polished each month with a soft cloth and lanolin.
`;
const chinese = `# 咖啡机清洁指南

每周用柠檬酸除垢一次。蒸汽棒每次使用后都要用湿布擦拭，并放出少量蒸汽清洁喷嘴。
`;

describe("document routes", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await createTestServer({ environment: { MAX_UPLOAD_MB: "1", URL_ALLOWLIST: "127.0.0.1" } });
    const created = await server.request("/api/workspaces", {
      method: "POST",
      body: JSON.stringify({ name: "Docs", slug: "docs" }),
      headers: { "content-type": "application/json" },
    });
    expect(created.status).toBe(201);
  });

  afterAll(async () => {
    await server?.close();
  });

  it("uploads files, streams progress until ready, then lists, reads, downloads and searches them", async () => {
    const app = server.admin;
    const events = await app.request("/api/workspaces/docs/events");
    expect(events.status).toBe(200);
    expect(events.headers.get("content-type")).toContain("text/event-stream");

    const upload = await app.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: filesForm([
        { name: "lighthouse.md", content: english, type: "text/markdown" },
        { name: "手册/咖啡机.md", content: chinese, type: "text/markdown" },
      ]),
    });
    expect(upload.status).toBe(202);
    const uploaded = (await upload.json()) as { documents: { id: string; name: string; status: string }[] };
    expect(uploaded.documents.map((document) => [document.name, document.status])).toEqual([
      ["lighthouse.md", "queued"],
      ["手册/咖啡机.md", "queued"],
    ]);

    const ready = new Set<string>();
    const seen = await readEvents(events, (event) => {
      const data = JSON.parse(event.data) as { id: string; status: string };
      if (data.status === "ready") ready.add(data.id);
      return ready.size === 2;
    });
    expect(seen.every((event) => event.event === "document")).toBe(true);
    const statuses = seen.map((event) => (JSON.parse(event.data) as { status: string }).status);
    expect(statuses).toContain("processing");
    const finished = seen
      .map((event) => JSON.parse(event.data) as { id: string; status: string; chunks?: number })
      .filter((data) => data.status === "ready");
    for (const data of finished) expect(data.chunks).toBeGreaterThan(0);

    const list = await app.request("/api/workspaces/docs/documents");
    expect(list.status).toBe(200);
    const listed = (await list.json()) as {
      documents: { id: string; name: string; status: string; chunks: number }[];
    };
    expect(listed.documents).toHaveLength(2);
    expect(listed.documents.every((document) => document.status === "ready" && document.chunks > 0)).toBe(
      true,
    );

    const coffee = uploaded.documents[1]!;
    const one = await app.request(`/api/workspaces/docs/documents/${coffee.id}`);
    expect(one.status).toBe(200);
    expect(((await one.json()) as { document: { name: string } }).document.name).toBe("手册/咖啡机.md");

    const chunks = await app.request(`/api/workspaces/docs/documents/${coffee.id}/chunks`);
    expect(chunks.status).toBe(200);
    const chunkBody = (await chunks.json()) as { chunks: { text: string }[] };
    expect(chunkBody.chunks.map((chunk) => chunk.text).join("")).toContain("柠檬酸");

    const file = await app.request(`/api/workspaces/docs/documents/${coffee.id}/file`);
    expect(file.status).toBe(200);
    expect(file.headers.get("content-type")).toBe("text/markdown; charset=utf-8");
    expect(file.headers.get("content-disposition")).toBe(
      `attachment; filename="___.md"; filename*=UTF-8''${encodeURIComponent("咖啡机.md")}`,
    );
    expect(await file.text()).toBe(chinese);

    const search = await app.request("/api/workspaces/docs/search", {
      method: "POST",
      body: JSON.stringify({ query: "brass railings polished", limit: 3 }),
      headers: { "content-type": "application/json" },
    });
    expect(search.status).toBe(200);
    const found = (await search.json()) as {
      results: { documentName: string; text: string }[];
      mode: string;
    };
    expect(found.mode).toBe("hybrid");
    expect(found.results[0]?.documentName).toBe("lighthouse.md");
    expect(found.results[0]?.text).toContain("brass railings");

    const fulltext = await app.request("/api/workspaces/docs/search", {
      method: "POST",
      body: JSON.stringify({ query: "柠檬酸", mode: "fulltext" }),
      headers: { "content-type": "application/json" },
    });
    expect(fulltext.status).toBe(200);
    const fulltextBody = (await fulltext.json()) as { results: { documentName: string }[]; mode: string };
    expect(fulltextBody.mode).toBe("fulltext");
    expect(fulltextBody.results[0]?.documentName).toBe("手册/咖啡机.md");

    const retryReady = await app.request(`/api/workspaces/docs/documents/${coffee.id}/retry`, {
      method: "POST",
    });
    expect(retryReady.status).toBe(409);
    expect(((await retryReady.json()) as { error: { code: string } }).error.code).toBe("conflict:document");
    const cancelReady = await app.request(`/api/workspaces/docs/documents/${coffee.id}/cancel`, {
      method: "POST",
    });
    expect(cancelReady.status).toBe(409);
    expect(await cancelReady.json()).toEqual({
      error: { code: "conflict:job", message: "The document has no queued or running ingestion to cancel" },
    });

    const removed = await app.request(`/api/workspaces/docs/documents/${coffee.id}`, { method: "DELETE" });
    expect(removed.status).toBe(204);
    const gone = await app.request(`/api/workspaces/docs/documents/${coffee.id}`);
    expect(gone.status).toBe(404);
    expect(((await gone.json()) as { error: { code: string } }).error.code).toBe("not_found:document");
    const afterDelete = await app.request("/api/workspaces/docs/search", {
      method: "POST",
      body: JSON.stringify({ query: "柠檬酸", mode: "fulltext" }),
      headers: { "content-type": "application/json" },
    });
    const afterBody = (await afterDelete.json()) as { results: { documentName: string }[] };
    expect(afterBody.results.some((result) => result.documentName === "手册/咖啡机.md")).toBe(false);
  });

  it("accepts 100 files in one request", async () => {
    const files = Array.from({ length: 100 }, (_, index) => ({
      name: `batch/note-${index}.txt`,
      content: `Note number ${index} about topic ${index % 7}.`,
    }));
    const upload = await server.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: filesForm(files),
    });
    expect(upload.status).toBe(202);
    const body = (await upload.json()) as { documents: { name: string; status: string }[] };
    expect(body.documents).toHaveLength(100);
    expect(new Set(body.documents.map((document) => document.name)).size).toBe(100);
    await server.deps.jobs.whenIdle();
    const list = await server.request("/api/workspaces/docs/documents");
    const listed = (await list.json()) as { documents: { name: string; status: string }[] };
    const batch = listed.documents.filter((document) => document.name.startsWith("batch/"));
    expect(batch).toHaveLength(100);
    expect(batch.every((document) => document.status === "ready")).toBe(true);
  });

  it("gives a failed document's error code in its events and in the list", async () => {
    const app = server.admin;
    const events = await app.request("/api/workspaces/docs/events");
    const upload = await app.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: filesForm([{ name: "binary.txt", content: "\u0000\u0001\u0002 not text \u0000\u0000" }]),
    });
    expect(upload.status).toBe(202);
    const [queued] = ((await upload.json()) as { documents: { id: string }[] }).documents;
    const seen = await readEvents(events, (event) => {
      const data = JSON.parse(event.data) as { id: string; status: string };
      return data.id === queued?.id && data.status === "failed";
    });
    const failed = JSON.parse(seen.at(-1)?.data ?? "{}") as { error?: string; errorCode?: string };
    expect(failed.error).toContain("binary.txt");
    expect(failed.errorCode).toBe("invalid:binary");

    const listed = (await (await app.request("/api/workspaces/docs/documents")).json()) as {
      documents: { id: string; status: string; errorCode?: string | null }[];
    };
    expect(listed.documents.find((document) => document.id === queued?.id)?.errorCode).toBe("invalid:binary");
    for (const document of listed.documents.filter((item) => item.status === "ready"))
      expect(document.errorCode).toBeNull();
  });

  it("rejects bad uploads with the error shape", async () => {
    const app = server.admin;
    const tooLarge = await app.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: filesForm([
        { name: "small.txt", content: "fine" },
        { name: "huge.txt", content: "x".repeat(1024 * 1024 + 1) },
      ]),
    });
    expect(tooLarge.status).toBe(413);
    const tooLargeBody = (await tooLarge.json()) as {
      error: { code: string; message: string; file?: string };
    };
    expect(tooLargeBody.error.code).toBe("too_large:file");
    expect(tooLargeBody.error.message).toContain("huge.txt");
    // Named apart from the message, so a client can say it in its own language.
    expect(tooLargeBody.error.file).toBe("huge.txt");

    const noFile = await app.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: new FormData(),
    });
    expect(noFile.status).toBe(400);
    expect(((await noFile.json()) as { error: { code: string } }).error.code).toBe("invalid:file");

    const notMultipart = await app.request("/api/workspaces/docs/documents", {
      method: "POST",
      body: JSON.stringify({ file: "x" }),
      headers: { "content-type": "application/json" },
    });
    expect(notMultipart.status).toBe(415);
    expect(((await notMultipart.json()) as { error: { code: string } }).error.code).toBe(
      "unsupported:media_type",
    );

    const noWorkspace = await app.request("/api/workspaces/nope/documents", {
      method: "POST",
      body: filesForm([{ name: "a.txt", content: "a" }]),
    });
    expect(noWorkspace.status).toBe(404);
    expect(((await noWorkspace.json()) as { error: { code: string } }).error.code).toBe(
      "not_found:workspace",
    );

    for (const path of [
      "/api/workspaces/docs/documents/missing",
      "/api/workspaces/docs/documents/missing/file",
    ]) {
      const missing = await app.request(path);
      expect(missing.status).toBe(404);
      expect(((await missing.json()) as { error: { code: string } }).error.code).toBe("not_found:document");
    }
    const missingList = await app.request("/api/workspaces/nope/documents");
    expect(missingList.status).toBe(404);
    const missingEvents = await app.request("/api/workspaces/nope/events");
    expect(missingEvents.status).toBe(404);
  });

  it("validates search requests", async () => {
    const empty = await server.request("/api/workspaces/docs/search", {
      method: "POST",
      body: JSON.stringify({ query: "" }),
      headers: { "content-type": "application/json" },
    });
    expect(empty.status).toBe(400);
    const emptyBody = (await empty.json()) as { error: { code: string; message: string } };
    expect(emptyBody.error.code).toBe("invalid:query");
    expect(emptyBody.error.message).toMatch(/^query: /);

    const badMode = await server.request("/api/workspaces/docs/search", {
      method: "POST",
      body: JSON.stringify({ query: "x", mode: "psychic" }),
      headers: { "content-type": "application/json" },
    });
    expect(badMode.status).toBe(400);
    expect(((await badMode.json()) as { error: { code: string } }).error.code).toBe("invalid:mode");

    const malformed = await server.request("/api/workspaces/docs/search", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(malformed.status).toBe(400);
    expect(((await malformed.json()) as { error: { code: string } }).error.code).toBe("invalid:json");

    const missing = await server.request("/api/workspaces/nope/search", {
      method: "POST",
      body: JSON.stringify({ query: "x" }),
      headers: { "content-type": "application/json" },
    });
    expect(missing.status).toBe(404);
  });

  describe("POST documents/url", () => {
    let site: Server;
    let siteUrl: string;

    beforeAll(async () => {
      site = createServer((request, response) => {
        if (request.url === "/page") {
          response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
          response.end(
            "<html><head><title>Tide tables</title></head><body><article><h1>Tide tables</h1><p>High tide at the harbour is at noon on Sundays, and the ferry waits for it.</p></article></body></html>",
          );
        } else if (request.url === "/big") {
          response.writeHead(200, { "content-type": "text/html" });
          response.end(`<p>${"y".repeat(1024 * 1024 + 10)}</p>`);
        } else {
          response.writeHead(404).end("not here");
        }
      });
      await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    });

    afterAll(async () => {
      await new Promise((resolve) => site.close(resolve));
    });

    const post = (body: unknown) =>
      server.request("/api/workspaces/docs/documents/url", {
        method: "POST",
        body: JSON.stringify(body),
        headers: { "content-type": "application/json" },
      });

    it("fetches a page and ingests it under its URL", async () => {
      const response = await post({ url: `${siteUrl}/page` });
      expect(response.status).toBe(202);
      const body = (await response.json()) as { documents: { id: string; name: string; status: string }[] };
      expect(body.documents).toEqual([{ id: expect.any(String), name: `${siteUrl}/page`, status: "queued" }]);
      await server.deps.jobs.whenIdle();
      const one = await server.request(`/api/workspaces/docs/documents/${body.documents[0]!.id}`);
      const document = ((await one.json()) as { document: { status: string; type: string; error: string } })
        .document;
      expect(document).toMatchObject({ status: "ready", error: null });
      expect(document.type).toBe("html");
      const file = await server.request(`/api/workspaces/docs/documents/${body.documents[0]!.id}/file`);
      expect(file.headers.get("content-type")).toBe("text/html; charset=utf-8");
      expect(file.headers.get("content-disposition")).toContain('filename="page.html"');

      // Once the queue is idle the new chunks are in the full-text index: multi-word queries find them.
      const search = await server.request("/api/workspaces/docs/search", {
        method: "POST",
        body: JSON.stringify({ query: "ferry harbour", mode: "fulltext" }),
        headers: { "content-type": "application/json" },
      });
      const found = (await search.json()) as { results: { documentName: string; text: string }[] };
      expect(found.results[0]?.documentName).toBe(`${siteUrl}/page`);
      expect(found.results[0]?.text).toContain("the ferry waits");
    });

    it("reports bad URLs, failing pages and oversized pages", async () => {
      const notUrl = await post({ url: "ftp://example.com/x" });
      expect(notUrl.status).toBe(400);
      expect(((await notUrl.json()) as { error: { code: string } }).error.code).toBe("invalid:url");

      const missing = await post({ url: `${siteUrl}/missing` });
      expect(missing.status).toBe(502);
      const missingBody = (await missing.json()) as { error: { code: string; message: string } };
      expect(missingBody.error.code).toBe("unavailable:url");
      expect(missingBody.error.message).toContain("HTTP 404");

      const big = await post({ url: `${siteUrl}/big` });
      expect(big.status).toBe(413);
      expect(((await big.json()) as { error: { code: string } }).error.code).toBe("too_large:url");
    });
  });
});
