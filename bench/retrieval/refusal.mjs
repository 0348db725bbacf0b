#!/usr/bin/env node
/**
 * Calibrated refusal (issue 14): does query mode answer what search ranks first, and refuse what the documents do
 * not answer, with embedders of different cosine scale? The whole eval/ corpus is ingested through the knowledge
 * base with each of the stand-in's two embedders (lexical, where unrelated texts score about 0, and anisotropic,
 * where they score 0.4–0.6), the workspace is calibrated as the server does after a batch, and every question of
 * eval/questions.jsonl is searched as chat retrieves (hybrid, 6 passages) and judged by `keepRelevant` with the
 * workspace's cut-offs in force — and, for comparison, by the rule before calibration (cosine 0.35, full-text-only
 * hits kept).
 *
 * STAND-IN FIGURES: the stand-in's vectors are lexical (hashed words and character pairs); they show that the rule
 * does not depend on one cosine scale, not what a real model scores. Measure with bge-m3 against a real Ollama
 * (`--ollama http://127.0.0.1:11434 --models bge-m3`) before reading the figures as quality.
 *
 *   npm run build && node bench/retrieval/refusal.mjs [--out bench/results/refusal-stand-in.json]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { values: args } = parseArgs({
  options: {
    out: { type: "string", default: "bench/results/refusal-stand-in.json" },
    ollama: { type: "string" },
    models: { type: "string", default: "bge-m3,stand-in-anisotropic" },
  },
});

const { openKnowledgeBase, createOllamaEmbedder, parseQuestions, keepRelevant } = await import(
  "@zhiku/ingest"
);
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");

const root = fileURLToPath(new URL("../../", import.meta.url));
const files = await collectFiles([join(root, "eval/corpus")]);
const documents = await Promise.all(
  files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await readFile(file.path)) })),
);
const questions = parseQuestions(
  await readFile(join(root, "eval/questions.jsonl"), "utf8"),
  "eval/questions.jsonl",
);

let standIn;
let host = args.ollama;
if (!host) {
  const { startStandInOllama } = await import("@zhiku/stand-in-ollama");
  standIn = await startStandInOllama({ models: ["bge-m3", "stand-in-anisotropic"] });
  host = standIn.url;
}

/** The rule before calibration: cosine 0.35, and every hit without a cosine kept. */
const before = (results) => results.filter((result) => result.relevance === null || result.relevance >= 0.35);

const round = (value) => Number(value.toFixed(4));
const report = {
  standIn: standIn !== undefined,
  corpus: documents.length,
  questions: questions.length,
  models: [],
};
for (const model of args.models.split(",")) {
  const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-refusal-"));
  const knowledgeBase = await openKnowledgeBase({ dataDir, embedder: createOllamaEmbedder({ host, model }) });
  try {
    for (let start = 0; start < documents.length; start += 32) {
      await knowledgeBase.ingestBatch(
        documents.slice(start, start + 32).map((document) => ({ workspace: "eval", ...document })),
      );
    }
    await knowledgeBase.optimize("eval");
    await knowledgeBase.refreshRelevanceCalibration("eval");
    const { refusal } = knowledgeBase.requireWorkspace("eval");
    const tally = () => ({
      rankedFirst: 0,
      answered: 0,
      unanswerable: 0,
      refused: 0,
      unanswered: [],
      leaked: [],
    });
    const rules = {
      calibrated: { all: tally(), literal: tally() },
      before: { all: tally(), literal: tally() },
    };
    for (const question of questions) {
      const { results } = await knowledgeBase.search({
        workspace: "eval",
        query: question.question,
        limit: 6,
      });
      const kept = {
        calibrated: keepRelevant(results, { query: question.question, cutoffs: refusal }),
        before: before(results),
      };
      for (const [rule, passages] of Object.entries(kept)) {
        for (const group of question.paraphrased ? ["all"] : ["all", "literal"]) {
          const figures = rules[rule][group];
          if (question.expected.length === 0) {
            figures.unanswerable++;
            if (passages.length === 0) figures.refused++;
            else figures.leaked.push(question.id);
          } else if (question.expected.includes(results[0]?.documentName)) {
            figures.rankedFirst++;
            if (passages.some((passage) => question.expected.includes(passage.documentName)))
              figures.answered++;
            else figures.unanswered.push(question.id);
          }
        }
      }
    }
    const { calibration } = refusal;
    report.models.push({
      model,
      cutoff: round(refusal.cutoff),
      fullTextCutoff: refusal.fullTextCutoff === null ? null : round(refusal.fullTextCutoff),
      source: refusal.source,
      calibration: calibration && {
        chunks: calibration.chunks,
        probes: calibration.probes,
        pairs: calibration.pairs,
        vector: Object.fromEntries(
          Object.entries(calibration.vector).map(([key, value]) => [key, round(value)]),
        ),
        fullText: Object.fromEntries(
          Object.entries(calibration.fullText).map(([key, value]) => [key, round(value)]),
        ),
      },
      rules,
    });
    const line = (name, figures) =>
      `  ${name.padEnd(22)} answered ${figures.answered}/${figures.rankedFirst} ranked first` +
      `, refused ${figures.refused}/${figures.unanswerable} unanswerable` +
      (figures.unanswered.length ? `; not answered: ${figures.unanswered.join(" ")}` : "") +
      (figures.leaked.length ? `; not refused: ${figures.leaked.join(" ")}` : "");
    console.log(
      `${model}${standIn ? " (stand-in)" : ""}: cut-off ${refusal.cutoff.toFixed(3)} (${refusal.source}` +
        `${calibration ? `, ${calibration.pairs} pairs` : ""}), full-text cut-off ${refusal.fullTextCutoff?.toFixed(1)}`,
    );
    console.log(line("calibrated, literal", rules.calibrated.literal));
    console.log(line("calibrated, all", rules.calibrated.all));
    console.log(line("before (0.35), literal", rules.before.literal));
    console.log(line("before (0.35), all", rules.before.all));
  } finally {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
await standIn?.close();
await writeFile(args.out, `${JSON.stringify(report, null, 2)}\n`);
console.log(`written ${args.out}`);
