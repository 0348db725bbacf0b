/**
 * The search benchmark's child processes: generating the table, building an index and serving queries each run
 * in a fresh process (`run.mjs --internal-*`), so their memory is measured without the benchmark's own.
 */
import "./lance-env.mjs";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { lancedb } from "../lancedb.mjs";
import {
  fullTextSearch,
  hybridSearch,
  measure,
  megabytes,
  peakRssMegabytes,
  vectorSearch,
} from "./measure.mjs";
import { createQueries, tableName } from "./synthetic-data.mjs";

/** The benchmark's entry point, which the children run with an `--internal-*` option. */
const scriptPath = fileURLToPath(new URL("./run.mjs", import.meta.url));

/**
 * Opens the table in a fresh child process and serves queries there, reporting its RSS:
 * the closest stand-in for the server process, without this benchmark's own allocations.
 * @param {{ directory: string, rows: number, seed: number, queries: number, parameters: object, distanceType: "cosine" | "dot" | "l2" }} options
 * @returns {Promise<{ rssMb: number, vectorP95Ms: number, hybridP95Ms: number }>}
 */
export function probeInChild(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-probe", JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) reject(new Error(`probe process exited with ${code}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}"));
    });
  });
}

/**
 * Child side of `probeInChild`.
 * @param {{ directory: string, rows: number, seed: number, queries: number, parameters: object, distanceType: "cosine" | "dot" | "l2" }} options
 */
export async function runProbe(options) {
  const queries = createQueries({
    rows: options.rows,
    seed: options.seed,
    querySeed: options.seed + 1,
    count: options.queries,
  });
  const connection = await lancedb.connect(options.directory);
  const table = await connection.openTable(tableName);
  const reranker = await lancedb.rerankers.RRFReranker.create();
  const vector = await measure({
    queries,
    run: vectorSearch(table, options.parameters, options.distanceType),
  });
  const hybrid = await measure({
    queries,
    run: hybridSearch(table, reranker, options.parameters, options.distanceType),
  });
  const fulltext = await measure({ queries, run: fullTextSearch(table) });
  process.stdout.write(
    `${JSON.stringify({ rssMb: megabytes(process.memoryUsage().rss), peakRssMb: await peakRssMegabytes(), vectorP95Ms: vector.p95Ms, hybridP95Ms: hybrid.p95Ms, fulltextP95Ms: fulltext.p95Ms })}\n`,
  );
}

/**
 * Builds a vector index in a child process (replacing any other) and returns the child's peak RSS.
 * @param {{ directory: string, type: string, options: object }} options
 * @returns {Promise<{ peakRssMb: number | null }>}
 */
export function buildInChild(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-build", JSON.stringify(options)], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    let errors = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      errors += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0)
        reject(new Error(`index build exited with ${code}: ${errors.trim().split("\n").at(-1)}`));
      else resolve(JSON.parse(output.trim().split("\n").at(-1) ?? "{}"));
    });
  });
}

/**
 * Child side of `buildInChild`.
 * @param {{ directory: string, type: string, options: object }} options
 */
export async function runBuild(options) {
  const connection = await lancedb.connect(options.directory);
  const table = await connection.openTable(tableName);
  await table.createIndex("vector", { config: lancedb.Index[options.type](options.options), replace: true });
  table.close();
  process.stdout.write(`${JSON.stringify({ peakRssMb: await peakRssMegabytes() })}\n`);
}

/**
 * Generates the table in a child process, so the generator's memory does not count
 * towards the RSS measured afterwards.
 * @param {{ directory: string, rows: number, seed: number }} options
 */
export function generateInChild(options) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [scriptPath, "--internal-generate", JSON.stringify(options)], {
      stdio: "inherit",
    });
    child.on("error", reject);
    child.on("close", (code) =>
      code === 0 ? resolve(undefined) : reject(new Error(`generator exited with ${code}`)),
    );
  });
}
