import { normalizeForIndex } from "../clean/index.js";
import type { ChunkSearch } from "../search/chunk-search.js";
import type { Embedder } from "../types.js";
import { PROBE_QUESTIONS } from "./probe-questions.js";
import { RECALIBRATION_FACTOR, type RelevanceCalibration } from "./relevance.js";
import { summarizeScores } from "./score-distribution.js";

/** What {@link calibrateRelevance} measures with. */
export interface CalibrateRelevanceOptions {
  /** Searches the workspace's chunks, as questions are searched. */
  chunks: ChunkSearch;
  /** The workspace's chunk table. */
  table: string;
  /** Rows in the table. */
  chunkCount: number;
  /** Embeds the probes; must be the model the table's vectors came from. */
  embedder: Embedder;
  /** Probe questions; default {@link PROBE_QUESTIONS}. */
  probes?: readonly string[];
  /** The clock; for tests. */
  now?: () => Date;
}

/**
 * Measures what off-topic questions score in a workspace: each probe question is embedded with the workspace's
 * model and searched by vector and by full text over the whole workspace, as a question is, and the best cosine and
 * the best BM25 it gets are kept. Those best scores are what an unanswerable question's top passage reaches by chance
 * in this workspace with this model — they depend on the model's cosine scale and on the workspace's size and
 * vocabulary, which is why the cut-off is derived from them instead of being fixed.
 */
export async function calibrateRelevance(options: CalibrateRelevanceOptions): Promise<RelevanceCalibration> {
  const probes = (options.probes ?? PROBE_QUESTIONS).map(normalizeForIndex);
  const vectors = await options.embedder.embed(probes, { retries: 1 });
  const vectorBest: number[] = [];
  const fullTextBest: number[] = [];
  for (const [index, query] of probes.entries()) {
    const [byVector] = await options.chunks.search(options.table, {
      mode: "vector",
      query,
      vector: vectors[index],
      limit: 1,
    });
    const [byText] = await options.chunks.search(options.table, { mode: "fulltext", query, limit: 1 });
    // An empty table has nothing to compare with; callers calibrate only workspaces with chunks.
    vectorBest.push(byVector?.relevance ?? 0);
    fullTextBest.push(byText?.score ?? 0);
  }
  return {
    model: options.embedder.model,
    chunks: options.chunkCount,
    probes: probes.length,
    pairs: probes.length * options.chunkCount,
    vector: summarizeScores(vectorBest),
    fullText: summarizeScores(fullTextBest),
    measuredAt: (options.now?.() ?? new Date()).toISOString(),
  };
}

/**
 * Whether a workspace needs measuring again: no calibration, one of another embedding model, or a chunk count that
 * has grown or shrunk by {@link RECALIBRATION_FACTOR} since (the best chance score of a question rises with the
 * number of passages it is compared with).
 */
export function needsCalibration(
  calibration: RelevanceCalibration | null,
  current: { model: string; chunks: number },
): boolean {
  if (!calibration || calibration.model !== current.model) return true;
  return (
    current.chunks >= calibration.chunks * RECALIBRATION_FACTOR ||
    current.chunks * RECALIBRATION_FACTOR <= calibration.chunks
  );
}
