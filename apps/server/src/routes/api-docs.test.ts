import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createErrorHandler } from "../errors.js";
import { createLogger } from "../logger.js";
import { apiReferenceScriptPath, createApiDocsRoutes } from "./api-docs.js";

describe("API reference routes", () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), "zhiku-api-docs-"));
    await writeFile(join(folder, "standalone.js"), "window.Scalar = { createApiReference() {} };");
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  it("serves the page with its script from this server and a policy naming no other origin", async () => {
    const routes = createApiDocsRoutes({ scriptFile: join(folder, "standalone.js") });
    const page = await routes.request("/docs");
    expect(page.status).toBe(200);
    const html = await page.text();
    const sources = [...html.matchAll(/<script[^>]*\bsrc="([^"]+)"/g)].map((match) => match[1]);
    expect(sources).toEqual([apiReferenceScriptPath]);
    expect(html).toContain("/api/openapi.json");
    expect(html).not.toMatch(/https?:\/\/[^"]*(cdn|fonts)/);
    expect(page.headers.get("content-security-policy")).not.toMatch(/https?:/);

    const script = await routes.request("/docs/api-reference.js");
    expect(script.status).toBe(200);
    expect(script.headers.get("content-type")).toContain("text/javascript");
    expect(await script.text()).toBe("window.Scalar = { createApiReference() {} };");
  });

  it("answers 503 naming the build step when the script was not built", async () => {
    const routes = createApiDocsRoutes({ scriptFile: join(folder, "missing.js") });
    routes.onError(createErrorHandler(createLogger("silent")));
    const response = await routes.request("/docs/api-reference.js");
    expect(response.status).toBe(503);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe("unavailable:api_reference");
    expect(body.error.message).toContain("npm run build");
  });

  it("finds the built script where `npm run build` puts it", async () => {
    const script = await createApiDocsRoutes().request("/docs/api-reference.js");
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });
});
