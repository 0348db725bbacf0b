/**
 * The LanceDB and apache-arrow the ingest package runs on, for the benches. Resolved from `@zhiku/ingest`, not
 * from the repository root: npm may keep LanceDB out of the root `node_modules` (it nests it under
 * `packages/ingest` when another root package's peer range excludes the pinned version), and a bench measures the
 * copy the product uses. Import this after setting `LANCE_*` variables: they are read when LanceDB loads.
 * Needs `tsc -b` (it resolves through the built ingest package).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const fromIngest = createRequire(import.meta.resolve("@zhiku/ingest"));
const entry = fromIngest.resolve("@lancedb/lancedb");

/** `@lancedb/lancedb`, as the ingest package loads it. */
export const lancedb = fromIngest("@lancedb/lancedb");

/**
 * apache-arrow as LanceDB itself loads it (its CommonJS build): LanceDB's sanitiser uses `instanceof`, so
 * tables built with another copy or the ESM build would not be recognised.
 */
export const arrow = createRequire(entry)("apache-arrow");

/** The version of that LanceDB (its package.json is not exported, so it is read beside the entry). */
export const lancedbVersion = JSON.parse(
  readFileSync(new URL("../package.json", pathToFileURL(entry)), "utf8"),
).version;
