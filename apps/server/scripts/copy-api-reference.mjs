// Build step of @zhiku/server: copies the API reference's browser script out of the dev dependency
// @scalar/api-reference into dist/api-reference/, where the server serves it at /api/docs/api-reference.js.
// The production install (no dev dependencies) and the image keep only this file.
import { copyFile, mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";

const source = fileURLToPath(import.meta.resolve("@scalar/api-reference/browser/standalone.js"));
const target = fileURLToPath(new URL("../dist/api-reference/standalone.js", import.meta.url));
await mkdir(dirname(target), { recursive: true });
await copyFile(source, target);
console.log(`copied the API reference script to ${target}`);
