#!/usr/bin/env node
/**
 * Chinese tokenisation for the full-text index: LanceDB's ngram tokenizer (2–3 characters, what the store uses)
 * against words from a segmenter (jieba's `cut_for_search`, as the store's `segmentWords` runs it) indexed with the whitespace
 * tokenizer. Same chunks (eval/corpus, chunked and cleaned as the store does), same questions (eval/), full-text
 * search only, so no embedding model is involved. Prints and writes bench/results/tokenizer.json: index build
 * time, segmentation time, document-level recall@1/5/10 and MRR per language, query latency.
 *
 *   npm run build && node bench/retrieval/tokenizer.mjs
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// LanceDB settings as the product's entry points set them, before LanceDB loads.
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { lancedb } = await import("../lancedb.mjs");
const { prepareDocument, parseQuestions, normalizeForIndex } = await import("@zhiku/ingest");
const { indexTextsOf } = await import("../../packages/ingest/dist/pipeline/index-text-step.js");
const { recallAt, reciprocalRank, distinctInOrder } = await import(
  "../../packages/ingest/dist/eval/metrics.js"
);
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");
const { segmentWords } = await import("../../packages/ingest/dist/clean/index.js");

const root = fileURLToPath(new URL("../../", import.meta.url));
const questions = parseQuestions(
  await readFile(join(root, "eval/questions.jsonl"), "utf8"),
  "eval/questions.jsonl",
).filter((question) => question.expected.length > 0);

/** Words of a text as the store cuts them (jieba's search mode), punctuation dropped, joined by spaces. */
const segment = segmentWords;

const rows = [];
for (const file of await collectFiles([join(root, "eval/corpus")])) {
  try {
    const { parsed, chunks } = await prepareDocument({
      bytes: new Uint8Array(await readFile(file.path)),
      name: file.name,
    });
    for (const text of indexTextsOf({ parsed, chunks })) if (text) rows.push({ document: file.name, text });
  } catch {
    // Not a document (none in eval/corpus fail today).
  }
}

const segmentStarted = process.cpuUsage();
for (const row of rows) row.words = segment(row.text);
const segmentCpu = process.cpuUsage(segmentStarted);
const segmentSeconds = (segmentCpu.user + segmentCpu.system) / 1e6;
const megabytes = rows.reduce((sum, row) => sum + Buffer.byteLength(row.text), 0) / 1024 / 1024;

const configurations = [
  {
    name: "ngram 2–3 (current)",
    column: "text",
    options: { baseTokenizer: "ngram", ngramMinLength: 2, ngramMaxLength: 3, prefixOnly: false },
    query: (question) => normalizeForIndex(question),
  },
  {
    name: "jieba words, whitespace tokenizer",
    column: "words",
    options: { baseTokenizer: "whitespace" },
    query: (question) => segment(normalizeForIndex(question)),
  },
];

const directory = await mkdtemp(join(os.tmpdir(), "zhiku-tokenizer-"));
const results = [];
try {
  const connection = await lancedb.connect(directory);
  const table = await connection.createTable(
    "chunks",
    rows.map((row) => ({ document: row.document, text: row.text, words: row.words })),
  );
  for (const configuration of configurations) {
    const started = performance.now();
    await table.createIndex(configuration.column, {
      config: lancedb.Index.fts({
        ...configuration.options,
        stem: false,
        removeStopWords: false,
        lowercase: true,
        asciiFolding: true,
        withPosition: false,
      }),
    });
    const buildSeconds = (performance.now() - started) / 1000;
    const byLanguage = {};
    const latencies = [];
    for (const question of questions) {
      const queryStarted = performance.now();
      const hits = await table
        .query()
        .fullTextSearch(configuration.query(question.question), { columns: [configuration.column] })
        .select(["document", "_score"])
        .limit(30)
        .toArray();
      latencies.push(performance.now() - queryStarted);
      const ranked = distinctInOrder(hits.map((hit) => hit.document));
      for (const group of [question.lang ?? "unknown", "all"]) {
        byLanguage[group] ??= { questions: 0, recallAt1: 0, recallAt5: 0, recallAt10: 0, mrr: 0 };
        const figures = byLanguage[group];
        figures.questions++;
        figures.recallAt1 += recallAt(ranked, question.expected, 1);
        figures.recallAt5 += recallAt(ranked, question.expected, 5);
        figures.recallAt10 += recallAt(ranked, question.expected, 10);
        figures.mrr += reciprocalRank(ranked, question.expected);
      }
    }
    for (const figures of Object.values(byLanguage)) {
      for (const key of ["recallAt1", "recallAt5", "recallAt10", "mrr"]) {
        figures[key] = Number((figures[key] / figures.questions).toFixed(3));
      }
    }
    latencies.sort((a, b) => a - b);
    const result = {
      configuration: configuration.name,
      indexBuildSeconds: Number(buildSeconds.toFixed(2)),
      queryP50Ms: Number(latencies[Math.floor(latencies.length * 0.5)].toFixed(2)),
      queryP95Ms: Number(latencies[Math.floor(latencies.length * 0.95)].toFixed(2)),
      byLanguage,
    };
    results.push(result);
    console.log(
      `${configuration.name.padEnd(36)} build ${result.indexBuildSeconds}s, query p50/p95 ${result.queryP50Ms}/${result.queryP95Ms} ms | ` +
        ["zh", "en", "all"]
          .map(
            (group) =>
              `${group} R@1 ${byLanguage[group].recallAt1} R@10 ${byLanguage[group].recallAt10} MRR ${byLanguage[group].mrr}`,
          )
          .join(" | "),
    );
  }
} finally {
  await rm(directory, { recursive: true, force: true });
}
console.log(
  `jieba segmentation: ${megabytes.toFixed(2)} MB in ${segmentSeconds.toFixed(2)} CPU-seconds (${(megabytes / segmentSeconds).toFixed(1)} MB per CPU-second)`,
);
await writeFile(
  join(root, "bench/results/tokenizer.json"),
  `${JSON.stringify({ date: new Date().toISOString(), machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model }, chunks: rows.length, megabytes: Number(megabytes.toFixed(3)), jiebaMegabytesPerCpuSecond: Number((megabytes / segmentSeconds).toFixed(2)), questions: questions.length, results }, null, 2)}\n`,
);
