import { Writable } from "node:stream";
import { Hono } from "hono";
import { Registry } from "prom-client";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createErrorHandler } from "./errors.js";
import { createLogger, type Logger } from "./logger.js";
import { acceptRequestId, requestLogging } from "./request-logging.js";
import { createServerMetrics } from "./services/metrics/index.js";
import { createTestServer, type TestServer } from "./testing/test-server.js";

/** A pino logger writing into an array of parsed lines. */
function collectingLogger(): { logger: Logger; lines: Record<string, unknown>[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, callback) {
      chunks.push(String(chunk));
      callback();
    },
  });
  const logger = createLogger("debug", { destination });
  return {
    logger,
    get lines() {
      return chunks
        .join("")
        .split("\n")
        .filter(Boolean)
        .map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    text: () => chunks.join(""),
  };
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("request ids and request logs", () => {
  let server: TestServer;
  let log: ReturnType<typeof collectingLogger>;

  beforeEach(async () => {
    log = collectingLogger();
    server = await createTestServer({ logger: log.logger });
  });

  afterEach(async () => {
    await server.close();
  });

  it("echoes a safe X-Request-Id and logs one JSON line per request without the query string", async () => {
    const response = await server.app.request("/api/workspaces?apiKey=hunter2", {
      headers: {
        "X-Request-Id": "edge-7.Alpha_1",
        authorization: `Bearer ${server.admin.apiKey}`,
        cookie: "sid=abc",
      },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("x-request-id")).toBe("edge-7.Alpha_1");

    const requestLines = log.lines.filter((line) => line.msg === "Request");
    expect(requestLines).toHaveLength(1);
    expect(requestLines[0]).toMatchObject({
      level: 30,
      requestId: "edge-7.Alpha_1",
      method: "GET",
      path: "/api/workspaces",
      route: "/api/workspaces",
      status: 200,
      durationMs: expect.any(Number),
    });
    expect(typeof requestLines[0]?.time).toBe("string");
    expect(log.text()).not.toMatch(/hunter2|sid=abc/);
    expect(log.text()).not.toContain(server.admin.apiKey);
  });

  it("replaces a missing, unsafe or overlong id with a new UUID", async () => {
    const ids: string[] = [];
    for (const header of [undefined, "has space", "semi;colon", "x".repeat(101), "a=b"]) {
      const response = await server.request("/api/workspaces", {
        headers: header === undefined ? {} : { "X-Request-Id": header },
      });
      ids.push(response.headers.get("x-request-id") ?? "");
    }
    for (const id of ids) expect(id).toMatch(uuid);
    expect(new Set(ids).size).toBe(ids.length);
    expect(acceptRequestId("x".repeat(100))).toBe("x".repeat(100));
    expect(acceptRequestId("")).toBeUndefined();
  });

  it("logs 4xx answers with their status and the handler's route pattern", async () => {
    const response = await server.request("/api/workspaces/missing/documents", {
      headers: { "X-Request-Id": "req-404" },
    });
    expect(response.status).toBe(404);
    const line = log.lines.find((entry) => entry.msg === "Request" && entry.requestId === "req-404");
    expect(line).toMatchObject({ status: 404, route: "/api/workspaces/:slug/documents" });
    // The expected error is logged at debug with the same request id.
    expect(log.lines.some((entry) => entry.level === 20 && entry.requestId === "req-404")).toBe(true);
  });
  it("puts the request id into the log of an unhandled error, and the handler can read it", async () => {
    // A bare app with the same middleware and error handler, plus a route that fails unexpectedly.
    const metrics = createServerMetrics({
      registry: new Registry(),
      queueDepth: () => server.deps.jobs.store.countUnfinished(),
      documentCounts: () => server.deps.kb.countDocumentsByStatus(),
    });
    const app = new Hono()
      .use(requestLogging({ logger: log.logger, metrics }))
      .get("/echo", (c) => c.json({ requestId: c.get("requestId") }))
      .get("/boom", () => {
        throw new Error("disk on fire");
      });
    app.onError(createErrorHandler(log.logger));

    const echoed = await app.request("/echo", { headers: { "X-Request-Id": "abc-123" } });
    expect(await echoed.json()).toEqual({ requestId: "abc-123" });

    const failed = await app.request("/boom", { headers: { "X-Request-Id": "boom-1" } });
    expect(failed.status).toBe(500);
    expect(failed.headers.get("x-request-id")).toBe("boom-1");
    const errorLine = log.lines.find((line) => line.msg === "Unhandled error in request");
    expect(errorLine).toMatchObject({ level: 50, requestId: "boom-1", path: "/boom" });
    expect(errorLine?.err).toMatchObject({ message: "disk on fire" });
    expect(log.lines.find((line) => line.msg === "Request failed")).toMatchObject({
      level: 40,
      requestId: "boom-1",
      status: 500,
      route: "/boom",
    });
  });
});

describe("redaction", () => {
  it("redacts authorization, cookies, passwords, API keys, tokens and session ids", () => {
    const log = collectingLogger();
    log.logger.info(
      {
        headers: { authorization: "Bearer sk-1", cookie: "sid=2", accept: "text/html" },
        request: { headers: { authorization: "Basic 3" } },
        password: "pw-4",
        user: { password: "pw-5", apiKey: "key-6", token: "tok-7", sessionId: "sess-8", name: "Li" },
      },
      "Something happened",
    );
    const [line] = log.lines;
    expect(log.text()).not.toMatch(/sk-1|sid=2|Basic 3|pw-4|pw-5|key-6|tok-7|sess-8/);
    expect(line).toMatchObject({
      headers: { authorization: "[redacted]", cookie: "[redacted]", accept: "text/html" },
      user: { name: "Li", password: "[redacted]" },
    });
  });
});
