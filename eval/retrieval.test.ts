import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const zhiku = fileURLToPath(new URL("../apps/server/bin/zhiku.js", import.meta.url));
const corpus = fileURLToPath(new URL("./corpus", import.meta.url));
const questions = fileURLToPath(new URL("./questions.jsonl", import.meta.url));

interface Figures {
  questions: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
  ndcgAt10: number;
}

interface Report {
  questions: number;
  standInEmbedder: boolean;
  standInReranker: boolean;
  modes: {
    mode: string;
    overall: Figures;
    byLanguage: Record<string, Figures>;
    refusals: { unanswerable: number; refusedUnanswerable: number; refusedAnswerable: number };
  }[];
}

/**
 * A regression guard for retrieval: the committed evaluation set, ingested and evaluated through the CLI with the
 * stand-in embedder. Its vectors are lexical, so the floors guard the full-text index, the Chinese tokenisation,
 * chunking and the fusion — not what a real embedding model would score (see eval/README.md).
 * The floors sit a little under the figures measured when they were set (bench/results/eval-stand-in.json).
 */
describe("retrieval on the evaluation set", () => {
  let ollama: StandInOllama;
  let dataDir: string;
  let report: Report;

  beforeAll(async () => {
    ollama = await startStandInOllama({ port: 0 });
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-eval-"));
    const env = { ...process.env, DATA_DIR: dataDir, OLLAMA_HOST: ollama.url, EMBED_MODEL: "bge-m3" };
    await run(process.execPath, [zhiku, "ingest", "--workspace", "eval", corpus], {
      env,
      maxBuffer: 1 << 24,
    });
    const { stdout } = await run(
      process.execPath,
      // The stand-in serves /v1/rerank too: its reranker scores by shared words and characters.
      [zhiku, "eval", "--workspace", "eval", "--json", "--rerank-url", ollama.url, questions],
      {
        env,
        maxBuffer: 1 << 24,
      },
    );
    report = JSON.parse(stdout) as Report;
  }, 240_000);

  afterAll(async () => {
    await ollama?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const mode = (name: string) => {
    const found = report.modes.find((entry) => entry.mode === name);
    if (!found) throw new Error(`no ${name} figures in the report`);
    return found;
  };

  it("evaluates every question in every mode and says the vectors were the stand-in's", () => {
    expect(report.questions).toBeGreaterThanOrEqual(60);
    expect(report.standInEmbedder).toBe(true);
    expect(report.standInReranker).toBe(true);
    expect(report.modes.map((entry) => entry.mode)).toEqual([
      "fulltext",
      "vector",
      "hybrid",
      "hybrid+rerank",
    ]);
    expect(mode("hybrid+rerank").overall.questions).toBe(mode("hybrid").overall.questions);
    expect(mode("hybrid").refusals.unanswerable).toBeGreaterThan(0);
  });

  it("finds the right document with full-text search, in Chinese and English", () => {
    const fulltext = mode("fulltext");
    expect(fulltext.overall.recallAt10).toBeGreaterThanOrEqual(0.95);
    expect(fulltext.overall.mrr).toBeGreaterThanOrEqual(0.9);
    expect(fulltext.byLanguage.zh?.recallAt10).toBeGreaterThanOrEqual(0.9);
    expect(fulltext.byLanguage.en?.recallAt10).toBeGreaterThanOrEqual(0.9);
  });

  it("fuses vector and full-text results", () => {
    const hybrid = mode("hybrid");
    expect(hybrid.overall.recallAt5).toBeGreaterThanOrEqual(0.9);
    expect(hybrid.overall.mrr).toBeGreaterThanOrEqual(0.8);
    // The stand-in's lexical vectors are weaker than word-segmented full text, so fusion is only held to beating
    // the vector side here; against full text it must be judged with a real embedding model.
    expect(hybrid.overall.recallAt5).toBeGreaterThanOrEqual(mode("vector").overall.recallAt5);
  });
});
