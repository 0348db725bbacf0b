#!/usr/bin/env node
/**
 * Fusion weights for hybrid search. Ingests eval/corpus with the stand-in Ollama (as bench/retrieval/run.mjs
 * does), then for every answerable question of eval/questions.jsonl runs the store's vector search and its
 * full-text search separately (the same queries the chunk store sends) and fuses them with weighted reciprocal
 * rank fusion (`fuseRankings`, the store's own fusion), sweeping k and the vector weight. Reports document-level
 * recall@1/5/10, MRR and nDCG@10 per language and for paraphrased questions. It also runs LanceDB's built-in
 * hybrid query (`RRFReranker`, k 60, equal weights) on the same table to check that the store's fusion with those
 * settings ranks as LanceDB did, and times both ways of fusing on this small table.
 *
 * The stand-in's vectors are lexical (word overlap), so a sweep that favours full text here says nothing about a
 * real embedding model such as bge-m3: run it against a real Ollama with `--ollama http://host:11434` (and
 * `--model`, default bge-m3) before choosing weights.
 *
 *   npm run build && node bench/retrieval/fusion.mjs [--passages 30] [--ollama URL --model bge-m3]
 *     [--out bench/results/fusion-weights.json]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// LanceDB settings as the product's entry points set them, before LanceDB loads.
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { values: args } = parseArgs({
  options: {
    passages: { type: "string", default: "30" },
    ollama: { type: "string" },
    model: { type: "string", default: "bge-m3" },
    out: { type: "string", default: "bench/results/fusion-weights.json" },
  },
});
const passages = Number(args.passages);

const { lancedb } = await import("../lancedb.mjs");
const { openKnowledgeBase, createOllamaEmbedder, parseQuestions, normalizeForIndex, dataLayout } =
  await import("@zhiku/ingest");
const { startStandInOllama } = await import("@zhiku/stand-in-ollama");
const { fullTextClauses } = await import("../../packages/ingest/dist/clean/index.js");
const { fuseRankings } = await import("../../packages/ingest/dist/search/fusion.js");
const { DEFAULT_VECTOR_INDEX_TUNING } = await import("../../packages/ingest/dist/store/vector-index.js");
const { recallAt, reciprocalRank, ndcgAt, distinctInOrder } = await import(
  "../../packages/ingest/dist/eval/metrics.js"
);
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");

const root = fileURLToPath(new URL("../../", import.meta.url));
const questions = parseQuestions(
  await readFile(join(root, "eval/questions.jsonl"), "utf8"),
  "eval/questions.jsonl",
).filter((question) => question.expected.length > 0);
const files = await collectFiles([join(root, "eval/corpus")]);
const contents = await Promise.all(
  files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await readFile(file.path)) })),
);

const COLUMNS = ["chunk_id", "document_id"];
const GROUPS = ["all", "zh", "en", "paraphrased"];
const FIGURES = ["recallAt1", "recallAt5", "recallAt10", "mrr", "ndcgAt10"];

/** Ranking figures per group, over questions with their ranked document names. */
function score(observations) {
  const result = {};
  for (const group of GROUPS) {
    const members = observations.filter(
      ({ question }) =>
        group === "all" ||
        (group === "paraphrased" ? question.paraphrased === true : question.lang === group),
    );
    const mean = (metric) =>
      Number((members.reduce((sum, member) => sum + metric(member), 0) / members.length).toFixed(4));
    result[group] = {
      questions: members.length,
      recallAt1: mean(({ ranked, question }) => recallAt(ranked, question.expected, 1)),
      recallAt5: mean(({ ranked, question }) => recallAt(ranked, question.expected, 5)),
      recallAt10: mean(({ ranked, question }) => recallAt(ranked, question.expected, 10)),
      mrr: mean(({ ranked, question }) => reciprocalRank(ranked, question.expected)),
      ndcgAt10: mean(({ ranked, question }) => ndcgAt(ranked, question.expected, 10)),
    };
  }
  return result;
}

function percentile(sorted, share) {
  return Number(sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))].toFixed(2));
}

const standIn = args.ollama ? undefined : await startStandInOllama({ port: 0 });
const embedder = createOllamaEmbedder({ host: args.ollama ?? standIn.url, model: args.model });
const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-fusion-"));
const knowledgeBase = await openKnowledgeBase({ dataDir, embedder });
let output;
try {
  for (let start = 0; start < contents.length; start += 32) {
    await knowledgeBase.ingestBatch(
      contents.slice(start, start + 32).map((content) => ({ workspace: "eval", ...content })),
    );
  }
  await knowledgeBase.optimize("eval");
  const names = new Map(knowledgeBase.listDocuments("eval").map((document) => [document.id, document.name]));
  const connection = await lancedb.connect(dataLayout(dataDir).lancedb);
  const [tableName] = await connection.tableNames();
  const table = await connection.openTable(tableName);
  const rows = await table.countRows();
  const reranker = await lancedb.rerankers.RRFReranker.create();
  const tuning = DEFAULT_VECTOR_INDEX_TUNING;

  // The queries the chunk store sends (chunk-store.ts `search`), minus the columns the figures do not need.
  const vectorQuery = (vector) =>
    table.query().nearestTo(vector).distanceType("cosine").nprobes(tuning.nprobes);
  const searchVector = (vector) => vectorQuery(vector).select(COLUMNS).limit(passages).toArray();
  const searchText = (words) =>
    words === undefined
      ? Promise.resolve([])
      : table.query().fullTextSearch(words).select(COLUMNS).limit(passages).toArray();
  const searchBuiltIn = (vector, words) =>
    vectorQuery(vector).fullTextSearch(words).rerank(reranker).select(COLUMNS).limit(passages).toArray();

  const runs = [];
  const latency = { builtIn: [], separate: [] };
  for (const [position, question] of questions.entries()) {
    const query = normalizeForIndex(question.question.trim());
    const [vector] = await embedder.embed([query]);
    // LanceDB's built-in hybrid takes one query: the product's clauses as one Should BooleanQuery.
    const clauses = fullTextClauses(query, "index_words");
    const words =
      clauses.length === 0
        ? undefined
        : new lancedb.BooleanQuery(clauses.map((clause) => [lancedb.Occur.Should, clause]));
    // Alternate which way goes first so neither always meets a warm cache.
    const timeBuiltIn = async () => {
      const started = performance.now();
      const result = words === undefined ? await searchVector(vector) : await searchBuiltIn(vector, words);
      latency.builtIn.push(performance.now() - started);
      return result;
    };
    const timeSeparate = async () => {
      const started = performance.now();
      const [vectorHits, textHits] = await Promise.all([searchVector(vector), searchText(words)]);
      fuseRankings(
        [
          { keys: vectorHits.map((hit) => hit.chunk_id), weight: 1 },
          { keys: textHits.map((hit) => hit.chunk_id), weight: 1 },
        ],
        60,
      );
      latency.separate.push(performance.now() - started);
      return [vectorHits, textHits];
    };
    let builtIn;
    let separate;
    if (position % 2 === 0) {
      builtIn = await timeBuiltIn();
      separate = await timeSeparate();
    } else {
      separate = await timeSeparate();
      builtIn = await timeBuiltIn();
    }
    const [vectorHits, textHits] = separate;
    // The product's hybrid search (chunk store, default fusion) on the same question.
    const product = await knowledgeBase.search({
      workspace: "eval",
      query: question.question,
      mode: "hybrid",
      limit: passages,
    });
    const documentOf = new Map(
      [...vectorHits, ...textHits, ...builtIn].map((hit) => [hit.chunk_id, hit.document_id]),
    );
    runs.push({
      question,
      documentOf,
      vector: vectorHits.map((hit) => hit.chunk_id),
      text: textHits.map((hit) => hit.chunk_id),
      builtIn: builtIn.map((hit) => hit.chunk_id),
      product: product.results.map((result) => result.chunkId),
      builtInScores: builtIn.map((hit) => Number(hit._relevance_score)),
    });
  }
  const rankedDocuments = (run, chunkIds) =>
    distinctInOrder(chunkIds.map((chunkId) => names.get(run.documentOf.get(chunkId)) ?? "?"));

  // Full text first, as the store does: on equal scores LanceDB's reranker puts the full-text hit first too.
  const fuse = (run, k, vectorShare) =>
    fuseRankings(
      [
        { keys: run.text, weight: 2 * (1 - vectorShare) },
        { keys: run.vector, weight: 2 * vectorShare },
      ],
      k,
    ).slice(0, passages);

  // Does the store's fusion at k 60, equal weights rank as LanceDB's RRFReranker did?
  let sameChunks = 0;
  let sameUpToTies = 0;
  let sameTop10Chunks = 0;
  let sameDocuments = 0;
  let maxScoreDifference = 0;
  const differences = [];
  for (const run of runs) {
    const fused = fuse(run, 60, 0.5);
    const ours = fused.map((item) => item.key);
    if (ours.join() === run.builtIn.join()) sameChunks++;
    // Same ranking up to the order of tied chunks: the same score at every position, and the same chunks at every
    // score but the lowest (where the limit may cut a tie differently).
    const lowest = Math.min(...run.builtInScores);
    const theirs = new Set(run.builtIn);
    if (
      fused.length === run.builtIn.length &&
      fused.every(
        (item, index) =>
          Math.abs(item.score - run.builtInScores[index]) < 1e-7 &&
          (item.score - lowest < 1e-7 || theirs.has(item.key)),
      )
    )
      sameUpToTies++;
    if (ours.slice(0, 10).join() === run.builtIn.slice(0, 10).join()) sameTop10Chunks++;
    if (rankedDocuments(run, ours).join() === rankedDocuments(run, run.builtIn).join()) sameDocuments++;
    else differences.push(run.question.id);
    const builtInScore = new Map(run.builtIn.map((chunkId, index) => [chunkId, run.builtInScores[index]]));
    for (const item of fused) {
      if (builtInScore.has(item.key)) {
        maxScoreDifference = Math.max(maxScoreDifference, Math.abs(item.score - builtInScore.get(item.key)));
      }
    }
  }
  const productSame = runs.filter(
    (run) =>
      run.product.join() ===
      fuse(run, 60, 0.5)
        .map((item) => item.key)
        .join(),
  ).length;
  const reproduction = {
    productHybridIdenticalToThisFusion: productSame,
    questions: runs.length,
    identicalChunkRanking: sameChunks,
    sameChunkRankingUpToTies: sameUpToTies,
    identicalTop10Chunks: sameTop10Chunks,
    identicalDocumentRanking: sameDocuments,
    questionsWhoseDocumentRankingDiffers: differences,
    maxScoreDifference: Number(maxScoreDifference.toExponential(2)),
    builtIn: score(
      runs.map((run) => ({ question: run.question, ranked: rankedDocuments(run, run.builtIn) })),
    ),
    ours: score(
      runs.map((run) => ({
        question: run.question,
        ranked: rankedDocuments(
          run,
          fuse(run, 60, 0.5).map((item) => item.key),
        ),
      })),
    ),
  };
  console.log(
    `reproduction of LanceDB RRF (k 60, equal weights): identical chunk ranking ${sameChunks}/${runs.length} ` +
      `(${sameUpToTies}/${runs.length} up to the order of tied chunks), ` +
      `top 10 chunks ${sameTop10Chunks}/${runs.length}, document ranking ${sameDocuments}/${runs.length}, ` +
      `max score difference ${reproduction.maxScoreDifference}`,
  );
  console.log(
    `product hybrid search ranks exactly as this fusion at k 60, 1:1: ${productSame}/${runs.length}`,
  );
  console.log(
    `  MRR built-in ${reproduction.builtIn.all.mrr} / ours ${reproduction.ours.all.mrr}; ` +
      `R@1 ${reproduction.builtIn.all.recallAt1} / ${reproduction.ours.all.recallAt1}`,
  );

  const references = {
    fulltext: score(runs.map((run) => ({ question: run.question, ranked: rankedDocuments(run, run.text) }))),
    vector: score(runs.map((run) => ({ question: run.question, ranked: rankedDocuments(run, run.vector) }))),
  };
  const sweep = [];
  for (const k of [10, 30, 60, 100]) {
    for (const vectorShare of [0.3, 0.4, 0.5, 0.6, 0.7]) {
      const byGroup = score(
        runs.map((run) => ({
          question: run.question,
          ranked: rankedDocuments(
            run,
            fuse(run, k, vectorShare).map((item) => item.key),
          ),
        })),
      );
      sweep.push({
        k,
        vectorWeight: vectorShare,
        fullTextWeight: Number((1 - vectorShare).toFixed(2)),
        byGroup,
      });
    }
  }
  const line = (label, byGroup) =>
    `${label.padEnd(26)} ` +
    GROUPS.map(
      (group) => `${group} ${FIGURES.map((figure) => byGroup[group][figure].toFixed(3)).join(" ")}`,
    ).join(" | ");
  console.log(`\n${"".padEnd(26)} each group: R@1 R@5 R@10 MRR nDCG@10`);
  console.log(line("fulltext alone", references.fulltext));
  console.log(line("vector alone", references.vector));
  console.log(line("LanceDB RRF (k 60, 1:1)", reproduction.builtIn));
  for (const entry of sweep) console.log(line(`k ${entry.k}, vector ${entry.vectorWeight}`, entry.byGroup));

  for (const key of Object.keys(latency)) latency[key].sort((a, b) => a - b);
  const timing = Object.fromEntries(
    Object.entries(latency).map(([key, values]) => [
      key,
      { p50Ms: percentile(values, 0.5), p95Ms: percentile(values, 0.95) },
    ]),
  );
  console.log(
    `\nlatency on ${rows} rows (no vector index, brute force): LanceDB hybrid p50/p95 ${timing.builtIn.p50Ms}/${timing.builtIn.p95Ms} ms, ` +
      `two searches + JS fusion ${timing.separate.p50Ms}/${timing.separate.p95Ms} ms; load average ${os
        .loadavg()
        .map((value) => value.toFixed(2))
        .join(" ")}`,
  );
  output = {
    date: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
    embedder: standIn ? "stand-in (lexical)" : `${args.model} at ${args.ollama}`,
    questions: runs.length,
    passages,
    chunks: rows,
    weights: "vectorWeight + fullTextWeight = 1 (scaled by 2 in the fusion, so 0.5 gives LanceDB's scores)",
    reproduction,
    references,
    sweep,
    latency: { rows, ...timing },
  };
  connection.close();
} finally {
  await knowledgeBase.close();
  await standIn?.close();
  await rm(dataDir, { recursive: true, force: true });
}
await writeFile(join(root, args.out), `${JSON.stringify(output, null, 2)}\n`);
