#!/usr/bin/env node
/**
 * Chinese full text (issue 14): Zhiku's full-text search against a plain character-bigram BM25 on the DRCD sample
 * (eval/drcd, Traditional as published and converted to mainland Simplified) and on eval/, then what the fold to
 * Simplified and the character pairs cost. Full text needs no embedding model: documents are ingested through the
 * knowledge base with an embedder that gives every chunk the same vector.
 *
 * Quality: document recall@1/5/10 and MRR, Zhiku (the product's search, `fulltext` mode) and the baseline
 * (`createBigramBm25` over the same chunks), plus variants of the index built directly in LanceDB with the store's
 * full-text options: jieba words as before this change, folded words, folded words with pairs at several weights.
 * Cost: CPU of the fold and of the pairs per MB of index text, the size of `index_words`, and the CPU of building
 * the full-text index with and without pairs.
 *
 *   npm run build && node bench/retrieval/chinese-full-text.mjs [--out bench/results/chinese-full-text.json]
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// LanceDB settings as the product's entry points set them, before LanceDB loads.
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const { values: args } = parseArgs({
  options: { out: { type: "string", default: "bench/results/chinese-full-text.json" } },
});

const lancedb = await import("@lancedb/lancedb");
const {
  openKnowledgeBase,
  parseQuestions,
  parseReadingParagraphs,
  readingSet,
  toMainlandSimplified,
  compareWithBigramBaseline,
  prepareDocument,
  normalizeForIndex,
} = await import("@zhiku/ingest");
const clean = await import("../../packages/ingest/dist/clean/index.js");
const { indexTextsOf } = await import("../../packages/ingest/dist/pipeline/index-text-step.js");
const { FULL_TEXT_INDEX_OPTIONS } = await import("../../packages/ingest/dist/store/chunk-store.js");
const { rankingFigures } = await import("../../packages/ingest/dist/eval/evaluate.js");
const { distinctInOrder } = await import("../../packages/ingest/dist/eval/metrics.js");
const { collectFiles } = await import("../../packages/ingest/dist/cli/collect-files.js");
const { Jieba } = await import("@node-rs/jieba");
const { dict } = await import("@node-rs/jieba/dict.js");

const root = fileURLToPath(new URL("../../", import.meta.url));
const sameVector = {
  model: "same-vector",
  dimension: async () => 2,
  embed: async (texts) => texts.map(() => [1, 0]),
};

/** A set as documents to ingest and answerable questions. */
async function loadSets() {
  const paragraphs = parseReadingParagraphs(
    await readFile(join(root, "eval/drcd/drcd-dev-sample.jsonl"), "utf8"),
    "eval/drcd/drcd-dev-sample.jsonl",
  );
  const files = await collectFiles([join(root, "eval/corpus")]);
  const evalDocuments = await Promise.all(
    files.map(async (file) => ({ name: file.name, bytes: new Uint8Array(await readFile(file.path)) })),
  );
  const evalQuestions = parseQuestions(
    await readFile(join(root, "eval/questions.jsonl"), "utf8"),
    "eval/questions.jsonl",
  ).filter((question) => question.expected.length > 0);
  return {
    "drcd traditional": readingSet(paragraphs),
    "drcd simplified": readingSet(paragraphs, toMainlandSimplified),
    "eval zh": {
      documents: evalDocuments,
      questions: evalQuestions.filter((question) => question.lang === "zh"),
    },
    "eval en": {
      documents: evalDocuments,
      questions: evalQuestions.filter((question) => question.lang === "en"),
    },
  };
}

const sets = await loadSets();
const product = {};
for (const [name, set] of Object.entries(sets)) {
  const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-chinese-"));
  const knowledgeBase = await openKnowledgeBase({ dataDir, embedder: sameVector });
  try {
    for (let start = 0; start < set.documents.length; start += 32) {
      await knowledgeBase.ingestBatch(
        set.documents.slice(start, start + 32).map((document) => ({ workspace: "bench", ...document })),
      );
    }
    await knowledgeBase.optimize("bench");
    product[name] = await compareWithBigramBaseline({
      knowledgeBase,
      workspace: "bench",
      questions: set.questions,
    });
  } finally {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  const { zhiku, bigramBm25 } = product[name];
  console.log(
    `${name.padEnd(17)} ${String(zhiku.questions).padStart(3)} questions | Zhiku R@1 ${zhiku.recallAt1.toFixed(3)} ` +
      `R@10 ${zhiku.recallAt10.toFixed(3)} MRR ${zhiku.mrr.toFixed(3)} | bigram BM25 R@1 ${bigramBm25.recallAt1.toFixed(3)} ` +
      `R@10 ${bigramBm25.recallAt10.toFixed(3)} MRR ${bigramBm25.mrr.toFixed(3)}`,
  );
}

// Variants of the index, built directly in LanceDB over the same chunks with the store's full-text options.
const jieba = Jieba.withDict(dict);
const hanRun = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]+/gu;
/** The words the store indexed before this change: jieba on unfolded Han runs. */
const unfoldedWords = (text) => {
  const words = [];
  let last = 0;
  for (const match of text.matchAll(hanRun)) {
    words.push(clean.segmentWords(text.slice(last, match.index)));
    words.push(jieba.cutForSearch(match[0], true).join(" "));
    last = match.index + match[0].length;
  }
  words.push(clean.segmentWords(text.slice(last)));
  return words.filter(Boolean).join(" ");
};
const { MatchQuery, BooleanQuery, Occur } = lancedb;
const withPairs = (weight) => ({
  index: (text) => clean.indexWordsOfEach([text])[0],
  query: (text) => {
    const { words, pairs } = clean.queryTerms(text);
    const clauses = [];
    if (words) clauses.push([Occur.Should, new MatchQuery(words, "words")]);
    if (pairs) clauses.push([Occur.Should, new MatchQuery(pairs, "words", { boost: weight })]);
    return clauses.length > 0 ? new BooleanQuery(clauses) : undefined;
  },
});
const variants = {
  "jieba words (before)": { index: unfoldedWords, query: unfoldedWords },
  "folded jieba words": { index: clean.segmentWords, query: clean.segmentWords },
  ...Object.fromEntries(
    [0.1, 0.2, 0.3, 0.4, 0.5, 1].map((weight) => [`folded words + pairs at ${weight}`, withPairs(weight)]),
  ),
};

const chunkRows = async (documents) => {
  const rows = [];
  for (const document of documents) {
    const { parsed, chunks } = await prepareDocument(document);
    for (const text of indexTextsOf({ parsed, chunks }))
      if (text) rows.push({ document: document.name, text });
  }
  return rows;
};
const directory = await mkdtemp(join(os.tmpdir(), "zhiku-chinese-variants-"));
const variantFigures = {};
const cost = {};
try {
  const connection = await lancedb.connect(directory);
  const rowsOf = {};
  for (const [name, set] of Object.entries(sets)) {
    if (name === "eval en") continue;
    rowsOf[name] = await chunkRows(set.documents);
  }
  for (const [name, rows] of Object.entries(rowsOf)) {
    variantFigures[name] = {};
    for (const [variant, { index, query }] of Object.entries(variants)) {
      const table = await connection.createTable(
        `t${Object.keys(variantFigures).length}_${Object.keys(variantFigures[name]).length}`,
        rows.map((row) => ({ document: row.document, words: index(row.text) })),
      );
      await table.createIndex("words", { config: lancedb.Index.fts(FULL_TEXT_INDEX_OPTIONS) });
      const rankings = [];
      const latencies = [];
      for (const question of sets[name].questions) {
        const started = performance.now();
        const terms = query(normalizeForIndex(question.question));
        const hits = terms
          ? await table
              .query()
              .fullTextSearch(terms, { columns: ["words"] })
              .select(["document"])
              .limit(30)
              .toArray()
          : [];
        latencies.push(performance.now() - started);
        rankings.push({
          ranked: distinctInOrder(hits.map((hit) => hit.document)),
          expected: question.expected,
        });
      }
      latencies.sort((a, b) => a - b);
      // Cutting the query and searching, in milliseconds: the median over the set's questions.
      const queryP50Ms = Number(latencies[latencies.length >> 1].toFixed(2));
      const figures = { ...rankingFigures(rankings), queryP50Ms };
      variantFigures[name][variant] = figures;
      console.log(
        `  ${name.padEnd(17)} ${variant.padEnd(28)} R@1 ${figures.recallAt1.toFixed(3)} R@10 ${figures.recallAt10.toFixed(3)} MRR ${figures.mrr.toFixed(3)} query p50 ${queryP50Ms} ms`,
      );
    }
  }

  // Cost on the index texts of eval/ (its whole corpus: Simplified Chinese and English) and of the DRCD sample
  // (Traditional).
  for (const name of ["eval zh", "drcd traditional"]) {
    const texts = rowsOf[name].map((row) => row.text);
    const megabytes = texts.reduce((sum, text) => sum + Buffer.byteLength(text), 0) / 1024 / 1024;
    // Passes enough for about 8 MB, so a small set is timed over more than a few milliseconds.
    const passes = Math.max(5, Math.ceil(8 / megabytes));
    const cpuSeconds = (run) => {
      run(); // warm: dictionaries loaded, code compiled
      const started = process.cpuUsage();
      for (let pass = 0; pass < passes; pass++) run();
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1e6 / passes;
    };
    const fold = cpuSeconds(() => {
      for (const text of texts) for (const [run] of text.matchAll(hanRun)) clean.foldToSimplified(run);
    });
    const words = cpuSeconds(() => clean.segmentWordsOfEach(texts));
    const indexed = cpuSeconds(() => clean.indexWordsOfEach(texts));
    const wordBytes = clean.segmentWordsOfEach(texts).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const indexBytes = clean.indexWordsOfEach(texts).reduce((sum, text) => sum + Buffer.byteLength(text), 0);
    const buildSeconds = async (label, rows) => {
      const table = await connection.createTable(`${label}_${name.replace(/ /g, "_")}`, rows);
      const started = process.cpuUsage();
      await table.createIndex("words", { config: lancedb.Index.fts(FULL_TEXT_INDEX_OPTIONS) });
      const used = process.cpuUsage(started);
      return (used.user + used.system) / 1e6;
    };
    const wordsBuild = await buildSeconds(
      "words",
      clean.segmentWordsOfEach(texts).map((words) => ({ words })),
    );
    const pairsBuild = await buildSeconds(
      "pairs",
      clean.indexWordsOfEach(texts).map((words) => ({ words })),
    );
    cost[name === "eval zh" ? "eval corpus (zh + en)" : name] = {
      megabytes: Number(megabytes.toFixed(3)),
      foldCpuSecondsPerMegabyte: Number((fold / megabytes).toFixed(4)),
      wordsCpuSecondsPerMegabyte: Number((words / megabytes).toFixed(4)),
      wordsAndPairsCpuSecondsPerMegabyte: Number((indexed / megabytes).toFixed(4)),
      indexWordsBytesWithoutPairs: wordBytes,
      indexWordsBytesWithPairs: indexBytes,
      fullTextIndexCpuSecondsWithoutPairs: Number(wordsBuild.toFixed(3)),
      fullTextIndexCpuSecondsWithPairs: Number(pairsBuild.toFixed(3)),
    };
    const figures = cost[name === "eval zh" ? "eval corpus (zh + en)" : name];
    console.log(
      `cost ${name}: ${megabytes.toFixed(2)} MB; fold ${figures.foldCpuSecondsPerMegabyte} CPU-s/MB; ` +
        `words ${figures.wordsCpuSecondsPerMegabyte} → words + pairs ${figures.wordsAndPairsCpuSecondsPerMegabyte} CPU-s/MB; ` +
        `index_words ${(wordBytes / 1024).toFixed(0)} → ${(indexBytes / 1024).toFixed(0)} KB; ` +
        `full-text index build ${wordsBuild.toFixed(2)} → ${pairsBuild.toFixed(2)} CPU-s`,
    );
  }
  connection.close();
} finally {
  await rm(directory, { recursive: true, force: true });
}

await writeFile(
  resolve(root, args.out),
  `${JSON.stringify(
    {
      date: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadAverage: os.loadavg() },
      embedder: "none (full text only; every chunk the same vector)",
      pairWeight: clean.PAIR_WEIGHT,
      product,
      variants: variantFigures,
      cost,
    },
    null,
    2,
  )}\n`,
);
