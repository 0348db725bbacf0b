import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type BaselineComparison,
  compareWithBigramBaseline,
  type Embedder,
  openKnowledgeBase,
  parseReadingParagraphs,
  readingSet,
  toMainlandSimplified,
} from "@zhiku/ingest";
import { beforeAll, describe, expect, it } from "vitest";

const sample = fileURLToPath(new URL("./drcd-dev-sample.jsonl", import.meta.url));

/** Full-text search needs no embedding model: every chunk gets the same vector. */
const sameVector: Embedder = {
  model: "same-vector",
  dimension: async () => 2,
  embed: async (texts) => texts.map(() => [1, 0]),
};

/** Ingests the sample (converted by `convert`) into a fresh data dir and compares Zhiku's full text with the baseline. */
async function measure(convert?: (text: string) => string): Promise<BaselineComparison> {
  const paragraphs = parseReadingParagraphs(await readFile(sample, "utf8"), sample);
  const { documents, questions } = readingSet(paragraphs, convert);
  const dataDir = await mkdtemp(join(tmpdir(), "zhiku-drcd-"));
  const knowledgeBase = await openKnowledgeBase({ dataDir, embedder: sameVector });
  try {
    const outcomes = await knowledgeBase.ingestBatch(
      documents.map((document) => ({ workspace: "drcd", ...document })),
    );
    expect(outcomes.filter((outcome) => "error" in outcome)).toEqual([]);
    await knowledgeBase.optimize("drcd");
    return await compareWithBigramBaseline({ knowledgeBase, workspace: "drcd", questions });
  } finally {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

/**
 * Traditional Chinese full text on a sample of DRCD (eval/drcd/README.md): 100 Wikipedia paragraphs from Taiwan,
 * 300 questions, each answered by one paragraph. The same sample in mainland Simplified (OpenCC tw2sp, vocabulary
 * included) is the other script. Zhiku must beat a plain character-bigram BM25 on both and rank the Traditional
 * questions within a point of the Simplified ones. Figures: bench/results/chinese-full-text.json.
 */
describe("full text on the DRCD sample, Traditional and Simplified", () => {
  let traditional: BaselineComparison;
  let simplified: BaselineComparison;

  beforeAll(async () => {
    traditional = await measure();
    simplified = await measure(toMainlandSimplified);
  }, 240_000);

  it("measures every question of the sample", () => {
    expect(traditional.zhiku.questions).toBe(300);
    expect(simplified.zhiku.questions).toBe(300);
    expect(traditional.bigramBm25.questions).toBe(300);
  });

  it("beats a character-bigram BM25 on both scripts", () => {
    for (const { zhiku, bigramBm25 } of [traditional, simplified]) {
      expect(zhiku.recallAt1).toBeGreaterThan(bigramBm25.recallAt1);
      expect(zhiku.mrr).toBeGreaterThan(bigramBm25.mrr);
    }
  });

  it("ranks Traditional questions within one point of Simplified ones", () => {
    expect(Math.abs(traditional.zhiku.recallAt1 - simplified.zhiku.recallAt1)).toBeLessThanOrEqual(0.01);
    expect(Math.abs(traditional.zhiku.mrr - simplified.zhiku.mrr)).toBeLessThanOrEqual(0.01);
  });
});
