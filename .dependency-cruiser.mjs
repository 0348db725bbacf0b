// Import rules for the monorepo, checked by `npm run deps:check` (part of `npm run lint`, so CI fails on a
// violation). docs/architecture.md explains each rule. Workspace packages resolve through their package.json
// `exports` to the compiled dist/ files, so the check runs after `tsc -b` (the script does that first).
import { readFileSync } from "node:fs";

/** Escapes `text` for use inside a regular expression. */
function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/**
 * The files a package's declared `exports` resolve to, as one regular expression over repository paths, e.g.
 * `^packages/ingest/dist/(index|lance-environment)\.js$`. Read from package.json, so a new export is allowed as
 * soon as it is declared and nothing else is.
 */
function declaredExports(directory) {
  const manifest = JSON.parse(readFileSync(new URL(`${directory}/package.json`, import.meta.url), "utf8"));
  const targets = Object.values(manifest.exports ?? {}).flatMap((target) =>
    typeof target === "string"
      ? [target]
      : Object.values(target).filter((value) => typeof value === "string"),
  );
  const files = [...new Set(targets.map((target) => target.replace(/^\.\//, "")))];
  return `^${escapeRegExp(directory)}/(${files.map(escapeRegExp).join("|")})$`;
}

/** Test code: test files, the server's test helpers, the browser tests, benches and the evaluation. */
const TESTS = [
  "\\.test\\.tsx?$",
  "^apps/server/src/testing/",
  "^apps/web/src/testing/",
  "^apps/web/e2e/",
  "^bench/",
  "^eval/",
  "^docker/",
  "^packages/ingest/fixtures/",
];

/** @type {import("dependency-cruiser").IConfiguration} */
export default {
  forbidden: [
    {
      name: "no-circular",
      severity: "error",
      comment:
        "Import cycles (type-only imports included) tangle modules that should layer; break the cycle.",
      from: {},
      to: { circular: true },
    },
    {
      name: "not-to-unresolvable",
      severity: "error",
      comment:
        "An import that does not resolve: a typo, a missing dependency, a deep import a package does not " +
        "export, or a workspace that is not built yet (run tsc -b).",
      from: {},
      to: { couldNotResolve: true },
    },
    {
      name: "web-only-server-types",
      severity: "error",
      comment: "The web client takes the server's types (AppType for hono/client) and nothing else from it.",
      from: { path: "^apps/web/src/" },
      to: { path: "^apps/server/", dependencyTypesNot: ["type-only"] },
    },
    {
      name: "web-not-to-ingest",
      severity: "error",
      comment: "The web client talks to the server over HTTP; it never imports the ingest package.",
      from: { path: "^apps/web/src/" },
      to: { path: "^packages/ingest/" },
    },
    {
      name: "ingest-public-entry-only",
      severity: "error",
      comment:
        "The server (and every other package) uses @zhiku/ingest and its declared package exports only, never " +
        "deep paths into it; export what is needed from packages/ingest/package.json.",
      from: { path: "^(apps|packages)/", pathNot: "^packages/ingest/" },
      to: { path: "^packages/ingest/", pathNot: declaredExports("packages/ingest") },
    },
    {
      name: "packages-not-to-apps",
      severity: "error",
      comment:
        "Packages (ingest above all) never import the server or the web client: the apps depend on them.",
      from: { path: "^packages/" },
      to: { path: "^apps/" },
    },
    {
      name: "ingest-not-to-other-packages",
      severity: "error",
      comment:
        "The ingest package is the bottom layer: it imports no other Zhiku package (its tests: the stand-in).",
      from: { path: "^packages/ingest/" },
      to: { path: "^packages/(?!ingest/|stand-in-ollama/)" },
    },
    {
      name: "stand-in-imports-no-product-package",
      severity: "error",
      comment:
        "The stand-in Ollama is a development tool; it imports no product package, so tests can use it.",
      from: { path: "^packages/stand-in-ollama/" },
      to: { path: "^(apps/|packages/(?!stand-in-ollama/))" },
    },
    {
      name: "product-not-to-stand-in",
      severity: "error",
      comment:
        "Only tests, benches and the evaluation may import the stand-in Ollama; product code never does.",
      from: { path: "^(apps|packages)/", pathNot: ["^packages/stand-in-ollama/", ...TESTS] },
      to: { path: "^packages/stand-in-ollama/" },
    },
    {
      name: "product-not-to-tests",
      severity: "error",
      comment: "Product code never imports test files or test helpers.",
      from: { path: "^(apps|packages)/", pathNot: TESTS },
      to: { path: TESTS },
    },
    {
      name: "parse-worker-not-to-lancedb",
      severity: "error",
      comment:
        "The parse worker thread is stopped at its heap limit or when it hangs; a thread stopped with LanceDB calls " +
        "in flight aborts the whole process. Nothing it loads may reach LanceDB, SQLite or the store.",
      from: { path: "^packages/ingest/src/parse-worker/parse-worker\\.ts$" },
      to: {
        path: ["(^|/)node_modules/(@lancedb|better-sqlite3|apache-arrow)/", "^packages/ingest/src/store/"],
        reachable: true,
      },
    },
    {
      name: "product-not-to-dev-dependencies",
      severity: "error",
      comment:
        "Product code of the Node packages runs on production (or peer) dependencies only (the image prunes the " +
        "rest); a package it imports belongs in dependencies. The LangChain adapter's examples are exempt.",
      from: {
        path: "^(apps/server|packages/ingest|packages/langchain)/src/",
        pathNot: [...TESTS, "/examples/"],
      },
      to: { dependencyTypes: ["npm-dev"], dependencyTypesNot: ["type-only", "npm-peer"] },
    },
  ],
  options: {
    doNotFollow: { path: ["node_modules", "(^|/)dist/"] },
    // Compiled output is not cruised (the npm script names the source folders), but imports of a workspace
    // package resolve into its dist/, so dist/ must stay in the graph: it is only not followed.
    // bench/loaders and bench/ocr compare against packages installed apart from the workspaces (see
    // bench/README.md), so their imports do not resolve here.
    exclude: { path: ["^eval/corpus/", "^bench/results/", "^bench/loaders/", "^bench/ocr/"] },
    // Type-only imports count: the web → server rule is about them, and a cycle through types is still a cycle.
    tsPreCompilationDeps: true,
    combinedDependencies: false,
    enhancedResolveOptions: {
      exportsFields: ["exports"],
      conditionNames: ["import", "types", "default"],
      mainFields: ["module", "main", "types"],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
