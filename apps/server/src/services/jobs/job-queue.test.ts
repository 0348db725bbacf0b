import { afterEach, describe, expect, it } from "vitest";
import { createTestServer, filesForm, readEvents, type TestServer } from "../../testing/test-server.js";

const text =
  "# Harbour notes\n\nThe ferry leaves at noon. The harbour master logs every departure in a red book.\n";

async function setUp(options: Parameters<typeof createTestServer>[0]): Promise<TestServer> {
  const server = await createTestServer(options);
  const created = await server.request("/api/workspaces", {
    method: "POST",
    body: JSON.stringify({ name: "Jobs", slug: "jobs" }),
    headers: { "content-type": "application/json" },
  });
  expect(created.status).toBe(201);
  return server;
}

async function upload(server: TestServer, name: string): Promise<string> {
  const response = await server.request("/api/workspaces/jobs/documents", {
    method: "POST",
    body: filesForm([{ name, content: text }]),
  });
  expect(response.status).toBe(202);
  return ((await response.json()) as { documents: { id: string }[] }).documents[0]!.id;
}

async function documentOf(server: TestServer, id: string) {
  const response = await server.request(`/api/workspaces/jobs/documents/${id}`);
  return ((await response.json()) as { document: { status: string; error: string | null; chunks: number } })
    .document;
}

describe("ingestion jobs with Ollama failures", () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("retries a document whose embedding fails for a while, and it ends ready", async () => {
    // The embedder itself tries 5 times; 6 failures make the first job attempt fail and the second succeed.
    server = await setUp({ ollama: { failures: { embed: { status: 500, times: 6 } } } });
    const events = await server.request("/api/workspaces/jobs/events");
    const id = await upload(server, "harbour.md");
    const seen = await readEvents(
      events,
      (event) => (JSON.parse(event.data) as { status: string }).status === "ready",
    );
    const payloads = seen.map((event) => JSON.parse(event.data) as { status: string; error?: string });
    const retrying = payloads.find((payload) => payload.status === "queued" && payload.error);
    expect(retrying?.error).toMatch(/attempt 1 of 4; retrying/);
    expect(await documentOf(server, id)).toMatchObject({ status: "ready", error: null });
    const job = server.deps.jobs.store.latestForDocument(id);
    expect(job).toMatchObject({ status: "done", attempts: 2 });
  });

  it("fails a document with the reason when Ollama stays down, and retry works once it is back", async () => {
    server = await setUp({ maxAttempts: 2, ollama: { unavailable: true } });
    const id = await upload(server, "harbour.md");
    await server.deps.jobs.whenIdle();
    const failed = await documentOf(server, id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/ollama/i);
    expect(server.deps.jobs.store.latestForDocument(id)).toMatchObject({ status: "failed", attempts: 2 });

    server.standIn.setOptions({ unavailable: false });
    const retry = await server.request(`/api/workspaces/jobs/documents/${id}/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    expect(((await retry.json()) as { document: { status: string } }).document.status).toBe("queued");
    await server.deps.jobs.whenIdle();
    const ready = await documentOf(server, id);
    expect(ready).toMatchObject({ status: "ready", error: null });
    expect(ready.chunks).toBeGreaterThan(0);

    // With Ollama down again, search falls back to full text and still finds the document.
    server.standIn.setOptions({ unavailable: "close" });
    const search = await server.request("/api/workspaces/jobs/search", {
      method: "POST",
      body: JSON.stringify({ query: "ferry" }),
      headers: { "content-type": "application/json" },
    });
    expect(search.status).toBe(200);
    const found = (await search.json()) as { mode: string; results: { documentId: string }[] };
    expect(found.mode).toBe("fulltext");
    expect(found.results[0]?.documentId).toBe(id);
  });

  it("cancels a running ingestion and retries it", async () => {
    server = await setUp({ ollama: { latencyMs: 1_500 } });
    const events = await server.request("/api/workspaces/jobs/events");
    const id = await upload(server, "slow.md");
    await readEvents(
      events,
      (event) => (JSON.parse(event.data) as { status: string }).status === "processing",
    );
    const cancel = await server.request(`/api/workspaces/jobs/documents/${id}/cancel`, {
      method: "POST",
    });
    expect(cancel.status).toBe(200);
    expect(((await cancel.json()) as { document: object }).document).toMatchObject({
      status: "failed",
      error: "Ingestion was cancelled",
    });
    await server.deps.jobs.whenIdle();
    expect(await documentOf(server, id)).toMatchObject({
      status: "failed",
      error: "Ingestion was cancelled",
    });
    expect(server.deps.jobs.store.latestForDocument(id)?.status).toBe("cancelled");

    server.standIn.setOptions({ latencyMs: 0 });
    const retry = await server.request(`/api/workspaces/jobs/documents/${id}/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    await server.deps.jobs.whenIdle();
    expect(await documentOf(server, id)).toMatchObject({ status: "ready", error: null });
  });
});

describe("retries after Ollama comes back", () => {
  let server: TestServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it("retries on its own after the backoff, with no other request, and the row shows the current state", async () => {
    server = await setUp({ retryDelayMs: 2_000, ollama: { unavailable: true } });
    const standIn = server.standIn;
    const events = await server.request("/api/workspaces/jobs/events");
    const id = await upload(server, "harbour.md");
    type Payload = { id: string; status: string; error?: string };
    let retryAt = -1;
    // Nothing but the stand-in coming back happens: no upload, no request. The backoff timer alone must start
    // attempt 2.
    const seen = await readEvents(events, (event, all) => {
      const payload = JSON.parse(event.data) as Payload;
      if (retryAt < 0 && /attempt 1 of 4; retrying in 2 s/.test(payload.error ?? "")) {
        retryAt = all.length - 1;
        standIn.setOptions({ unavailable: false });
      }
      return payload.status === "ready";
    });
    expect(retryAt).toBeGreaterThan(0);
    const payloads = seen
      .map((event) => JSON.parse(event.data) as Payload)
      .filter((payload) => payload.id === id);
    const afterRetry = seen
      .slice(retryAt + 1)
      .map((event) => JSON.parse(event.data) as Payload)
      .filter((payload) => payload.id === id);
    // As attempt 2 starts, what is published (and stored) is "processing", without attempt 1's reason.
    expect(afterRetry[0]).toMatchObject({ status: "processing" });
    expect(afterRetry.filter((payload) => payload.status === "processing" && payload.error)).toEqual([]);
    expect(payloads.at(-1)).toMatchObject({ status: "ready" });
    await server.deps.jobs.whenIdle();
    expect(await documentOf(server, id)).toMatchObject({ status: "ready", error: null });
    expect(server.deps.jobs.store.latestForDocument(id)).toMatchObject({ status: "done", attempts: 2 });
  });
});
