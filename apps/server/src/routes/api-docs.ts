import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { Scalar } from "@scalar/hono-api-reference";
import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";

/**
 * The API reference's browser script (Scalar's standalone bundle from the dev dependency `@scalar/api-reference`),
 * which `npm run build` copies to `apps/server/dist/api-reference/`. The same relative path works from `src/` (tests)
 * and `dist/` (production), so the running server and the image need neither the package nor a CDN.
 */
export const apiReferenceScriptFile = fileURLToPath(
  new URL("../../dist/api-reference/standalone.js", import.meta.url),
);

/** Where the docs page loads the script from: this server. */
export const apiReferenceScriptPath = "/api/docs/api-reference.js";

/**
 * The API reference page's own policy: an inline bootstrap script and inline styles, the script, fonts and data
 * from this server only (the page's default fonts are turned off, so nothing is fetched from elsewhere).
 */
export const docsContentSecurityPolicy =
  "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; " +
  "font-src 'self' data:; img-src 'self' data: blob:; connect-src 'self'; object-src 'none'; base-uri 'self'; " +
  "frame-ancestors 'none'";

/** Options of {@link createApiDocsRoutes}. */
export interface ApiDocsOptions {
  /** The standalone script to serve. Default {@link apiReferenceScriptFile}. */
  scriptFile?: string;
}

/** `GET /docs` (the API reference page for `/api/openapi.json`) and `GET /docs/api-reference.js` (its script). */
export function createApiDocsRoutes(options: ApiDocsOptions = {}) {
  const scriptFile = options.scriptFile ?? apiReferenceScriptFile;
  let script: Promise<string> | undefined;
  const page = Scalar({
    url: "/api/openapi.json",
    pageTitle: "Zhiku API",
    cdn: apiReferenceScriptPath,
    withDefaultFonts: false,
  });
  return new Hono()
    .get("/docs", async (c, next) => {
      c.header("Content-Security-Policy", docsContentSecurityPolicy);
      return page(c, next);
    })
    .get("/docs/api-reference.js", async (c) => {
      script ??= readFile(scriptFile, "utf8");
      const text = await script.catch((error: unknown) => {
        script = undefined;
        throw new ZhikuError(
          "unavailable:api_reference",
          `The API reference script ${scriptFile} is missing: run \`npm run build\``,
          { cause: error },
        );
      });
      c.header("Content-Type", "text/javascript; charset=utf-8");
      c.header("Cache-Control", "public, max-age=3600");
      return c.body(text);
    });
}
