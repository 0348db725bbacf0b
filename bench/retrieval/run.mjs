#!/usr/bin/env node
/**
 * Retrieval experiments on the committed evaluation set (eval/): each configuration ingests eval/corpus into a
 * fresh data dir with the stand-in Ollama and runs the evaluation in every mode. Prints a table and writes
 * bench/results/retrieval-experiments.json. The stand-in's vectors are lexical, so the full-text column is
 * the one to trust; vector and hybrid figures need a real embedding model (see eval/README.md).
 *
 *   npm run build && node bench/retrieval/run.mjs
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

// LanceDB settings as the product's entry points set them, before LanceDB loads.
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { openKnowledgeBase, createOllamaEmbedder, evaluate, parseQuestions, DEFAULT_RELEVANCE_CUTOFF } =
  await import("@zhiku/ingest");
const { startStandInOllama } = await import("@zhiku/stand-in-ollama");
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");

const root = fileURLToPath(new URL("../../", import.meta.url));
const questions = parseQuestions(
  await readFile(join(root, "eval/questions.jsonl"), "utf8"),
  "eval/questions.jsonl",
);
const files = await collectFiles([join(root, "eval/corpus")]);
const contents = await Promise.all(
  files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await readFile(file.path)) })),
);

const configurations = [
  { name: "default: 500 tokens, 75 overlap, heading context", options: {} },
  { name: "no heading context", options: { headingContext: false } },
  { name: "300 tokens, 45 overlap", options: { chunkOptions: { chunkSize: 300, chunkOverlap: 45 } } },
  { name: "800 tokens, 120 overlap", options: { chunkOptions: { chunkSize: 800, chunkOverlap: 120 } } },
  { name: "500 tokens, no overlap", options: { chunkOptions: { chunkSize: 500, chunkOverlap: 0 } } },
];

const ollama = await startStandInOllama({ port: 0 });
const rows = [];
try {
  for (const configuration of configurations) {
    const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-retrieval-"));
    const knowledgeBase = await openKnowledgeBase({
      dataDir,
      embedder: createOllamaEmbedder({ host: ollama.url, model: "bge-m3" }),
      ...configuration.options,
    });
    try {
      for (let start = 0; start < contents.length; start += 32) {
        await knowledgeBase.ingestBatch(
          contents.slice(start, start + 32).map((content) => ({ workspace: "eval", ...content })),
        );
      }
      await knowledgeBase.optimize("eval");
      const report = await evaluate({
        knowledgeBase,
        workspace: "eval",
        questions,
        relevanceCutoff: DEFAULT_RELEVANCE_CUTOFF,
      });
      const chunks = knowledgeBase.listDocuments("eval").reduce((sum, document) => sum + document.chunks, 0);
      const row = { configuration: configuration.name, chunks };
      for (const mode of report.modes) {
        row[mode.mode] = {
          recallAt1: mode.overall.recallAt1,
          recallAt5: mode.overall.recallAt5,
          mrr: mode.overall.mrr,
          ndcgAt10: mode.overall.ndcgAt10,
        };
      }
      rows.push(row);
      console.log(
        `${configuration.name.padEnd(48)} chunks ${String(chunks).padStart(5)} | ` +
          ["fulltext", "vector", "hybrid"]
            .map((mode) => `${mode} R@1 ${row[mode].recallAt1.toFixed(3)} MRR ${row[mode].mrr.toFixed(3)}`)
            .join(" | "),
      );
    } finally {
      await knowledgeBase.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
} finally {
  await ollama.close();
}
await writeFile(
  join(root, "bench/results/retrieval-experiments.json"),
  `${JSON.stringify({ date: new Date().toISOString(), embedder: "stand-in (lexical)", questions: questions.length, rows }, null, 2)}\n`,
);
