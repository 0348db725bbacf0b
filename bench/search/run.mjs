#!/usr/bin/env node
/**
 * Search speed benchmark for Zhiku's LanceDB store (issue 7, "speed at scale").
 *
 * For each table size it generates synthetic chunks (1024-dimension clustered unit vectors and
 * mixed Chinese/English text) in a temporary directory, then measures:
 * - brute-force vector search (no index, `bypassVectorIndex()`), full-text search (whitespace index
 *   over a column of space-separated words, as the store indexes jieba's words) and hybrid search
 *   (full text + vector fused with reciprocal rank fusion), p50/p95 latency;
 * - build time of vector indexes (IVF_FLAT, IVF_PQ, IVF_RQ, IVF_HNSW_SQ, IVF_HNSW_PQ) with a few
 *   parameter choices, and for each query-time choice (nprobes, refineFactor, ef) the latency and
 *   recall@10 against brute force;
 * - resident memory (RSS) of this process, and of a fresh child process that only opens the
 *   indexed table and serves queries (the figure closest to the server's).
 *
 * Usage:
 *   node bench/search/run.mjs --sizes 10000,100000
 *   node bench/search/run.mjs --sizes 2000,5000,20000,50000 --brute-only
 *   node bench/search/run.mjs --sizes 100000 --only ivfRq,hnswPq --tag explore
 *
 * Results go to `bench/results/search-<size>.json` (or `search-brute-<size>.json` with
 * `--brute-only`, `search-<size>-<tag>.json` with `--tag`), and `bench/results/search-summary.md`
 * is rebuilt from all result files.
 * Nothing here is a timed test: figures depend on the machine and are recorded with it.
 */
import "./lance-env.mjs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { benchmarkSize, log } from "./benchmark-size.mjs";
import { runBuild, runProbe } from "./child-processes.mjs";
import { writeSummary } from "./summary.mjs";
import { generateTable } from "./synthetic-data.mjs";

const defaultResultsDirectory = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../results");

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    queries: { type: "string", default: "200" },
    "brute-queries": { type: "string" },
    seed: { type: "string", default: "42" },
    "brute-only": { type: "boolean", default: false },
    "data-dir": { type: "string" },
    "results-dir": { type: "string", default: defaultResultsDirectory },
    skip: { type: "string", default: "" },
    only: { type: "string", default: "" },
    tag: { type: "string" },
    distance: { type: "string", default: "cosine" },
    "summary-only": { type: "boolean", default: false },
    "internal-generate": { type: "string" },
    "internal-probe": { type: "string" },
    "internal-build": { type: "string" },
    help: { type: "boolean", default: false },
  },
});

if (!["cosine", "dot", "l2"].includes(values.distance)) {
  throw Object.assign(new Error(`--distance: "${values.distance}" must be cosine, dot or l2`), {
    code: "invalid:distance",
  });
}
if (values.tag !== undefined && !/^[a-z0-9][a-z0-9-]*$/.test(values.tag)) {
  throw Object.assign(new Error(`--tag: "${values.tag}" must be lowercase letters, digits and dashes`), {
    code: "invalid:tag",
  });
}
/** Distance used for search and index training; the product uses cosine (unit vectors from bge-m3). */
const distanceType = /** @type {"cosine" | "dot" | "l2"} */ (values.distance);

// ---------------------------------------------------------------------------------------------
// Entry point
// ---------------------------------------------------------------------------------------------

if (values["internal-generate"]) {
  await generateTable(JSON.parse(values["internal-generate"]));
} else if (values["internal-probe"]) {
  await runProbe(JSON.parse(values["internal-probe"]));
} else if (values["internal-build"]) {
  await runBuild(JSON.parse(values["internal-build"]));
} else if (values["summary-only"]) {
  await writeSummary(path.resolve(values["results-dir"]));
} else if (values.help) {
  process.stdout.write(
    [
      "node bench/search/run.mjs [--sizes 10000,100000,1000000] [--queries 200] [--brute-queries N]",
      "  [--brute-only] [--skip ivfFlat,ivfPq,sub=128 (index types or parts of config names)] [--only ivfRq,hnswPq,fast]",
      "  [--tag NAME (write search-<rows>-NAME.json, leaving the full run's file alone)] [--distance cosine|dot|l2] [--seed 42]",
      "  [--data-dir DIR (keep and reuse generated tables)]",
      "  [--results-dir bench/results] [--summary-only (rebuild search-summary.md from the result files)]",
      "",
    ].join("\n"),
  );
} else {
  const sizes = values.sizes.split(",").map((size) => Number.parseInt(size.trim(), 10));
  const invalid = sizes.find((size) => !Number.isInteger(size) || size < 100);
  if (invalid !== undefined)
    throw Object.assign(new Error(`--sizes: "${values.sizes}" must be whole numbers of at least 100`), {
      code: "invalid:sizes",
    });
  const queryCount = Number.parseInt(values.queries, 10);
  const resultsDirectory = path.resolve(values["results-dir"]);
  await mkdir(resultsDirectory, { recursive: true });
  if (values["data-dir"]) await mkdir(values["data-dir"], { recursive: true });
  for (const rows of sizes) {
    const suffix = `${distanceType === "cosine" ? "" : `-${distanceType}`}${values.tag ? `-${values.tag}` : ""}`;
    const fileName = values["brute-only"]
      ? `search-brute-${rows}${suffix}.json`
      : `search-${rows}${suffix}.json`;
    const save = async (result) => {
      await writeFile(path.join(resultsDirectory, fileName), `${JSON.stringify(result, null, 2)}\n`);
      await writeSummary(resultsDirectory);
    };
    const result = await benchmarkSize({
      rows,
      distanceType,
      seed: Number.parseInt(values.seed, 10),
      queryCount,
      bruteQueryCount: Math.min(
        queryCount,
        Number.parseInt(values["brute-queries"] ?? String(queryCount), 10),
      ),
      bruteOnly: values["brute-only"],
      dataDirectory: values["data-dir"],
      skip: new Set(values.skip.split(",").filter(Boolean)),
      only: new Set(values.only.split(",").filter(Boolean)),
      tag: values.tag,
      save,
    });
    await save(result);
    log(`${rows} rows: wrote ${fileName}`);
  }
  process.stdout.write(await readFile(path.join(resultsDirectory, "search-summary.md"), "utf8"));
}
