import { normalizeForIndex, segmentWords } from "../clean/index.js";
import { PROBE_QUESTIONS } from "./probe-questions.js";
import type { ScoreDistribution } from "./score-distribution.js";

/**
 * What off-topic questions score in one workspace with one embedding model, measured by `calibrateRelevance` and
 * stored with the workspace. Each distribution holds, per probe question, the best score any passage of the
 * workspace got for it: the score an unanswerable question's top passage reaches by chance.
 */
export interface RelevanceCalibration {
  /** The embedding model the vectors and probe questions were embedded with. */
  model: string;
  /** Chunks in the workspace when measured; the best chance score grows with it, so a workspace that grows (or shrinks) by {@link RECALIBRATION_FACTOR} is measured again. */
  chunks: number;
  /** Probe questions asked. */
  probes: number;
  /** Probe–passage pairs compared: probes × chunks. */
  pairs: number;
  /** Best cosine similarity per probe. */
  vector: ScoreDistribution;
  /** Best full-text (BM25) score per probe; 0 for a probe full text found nothing for. */
  fullText: ScoreDistribution;
  /** ISO time of the measurement. */
  measuredAt: string;
}

/** A workspace is measured again once its chunk count has grown or shrunk by this factor since its calibration. */
export const RECALIBRATION_FACTOR = 2;

/**
 * How many robust standard deviations above the median chance score a passage must score to count as relevant.
 * The rule is stated in the model's own units, so it means the same for every model: an embedding model whose
 * cosines all sit in a narrow cone (unrelated texts at 0.4–0.6, as many real models) and one whose unrelated texts
 * score near 0 get cut-offs at the same place in their own distributions. Any affine change of the score scale
 * moves the cut-off with it. Two robust deviations put it above roughly 97% of off-topic questions' best passages
 * if the chance scores were normal; the median and the median absolute deviation keep a probe that happens to match
 * the workspace from moving it much.
 */
export const CALIBRATION_DEVIATIONS = 2;

/**
 * The cosine cut-off used when a workspace has no calibration for its embedding model yet (nothing embedded, or
 * Ollama was unreachable when it was measured). 0.35 was read from `zhiku eval` for bge-m3 (bench/results/); it does
 * not transfer to other models, which is why calibrated cut-offs replace it as soon as they exist.
 */
export const DEFAULT_RELEVANCE_CUTOFF = 0.35;

/**
 * The least share of a question's topic words ({@link coverageWords}) a passage must contain, beside a BM25 above the
 * calibrated one, for a full-text match to count as strong. A text that ranks high on BM25 through one or two words
 * of a long question (an unanswerable question about a neighbouring topic) does not; one that holds two in five of
 * its topic words has matched the question, not a word of it. Full text is the product's real engine (jieba words,
 * LanceDB BM25), so this share is no embedding model's.
 */
export const MIN_QUERY_COVERAGE = 0.4;

/**
 * The share of a question's topic words that makes full text's best passage a strong match whatever its BM25: a
 * short question ("What happens when Redis receives SIGTERM?") cannot reach a high BM25, but a passage holding most
 * of its words is what it asks for.
 */
export const FIRST_MATCH_COVERAGE = 0.6;

/**
 * The reranker score at which a passage counts as relevant. Cross-encoder rerankers are trained as relevance
 * classifiers: their decision boundary comes with the model (0.5 for the probability most rerank servers return; a
 * server returning raw logits puts it at 0, where 0.5 is a little stricter), not with the workspace.
 */
export const RERANK_RELEVANCE_CUTOFF = 0.5;

/** Where the cut-off in force comes from. */
export type RelevanceCutoffSource = "calibrated" | "manual" | "default";

/** The cut-offs a workspace's passages are judged by, and where they come from. */
export interface RelevanceCutoffs {
  /** Least cosine similarity of a passage to the question. */
  cutoff: number;
  /** Least BM25 of a strong full-text match; null without a calibration (then the word share alone decides). */
  fullTextCutoff: number | null;
  /** `calibrated` (measured for the workspace's model), `manual` (the `relevanceCutoff` setting) or `default`. */
  source: RelevanceCutoffSource;
  /** The measurement in force, when one exists for the workspace's embedding model. */
  calibration: RelevanceCalibration | null;
}

/** The cut-off above a chance-score distribution: {@link CALIBRATION_DEVIATIONS} robust deviations over its median. */
export function cutoffAbove(distribution: ScoreDistribution): number {
  return distribution.median + CALIBRATION_DEVIATIONS * distribution.robustSd;
}

/**
 * The cut-offs in force for a workspace: its manual `relevanceCutoff` when set, else the one calibrated for its
 * embedding model, else {@link DEFAULT_RELEVANCE_CUTOFF}. A calibration of another model (before `zhiku reembed`
 * finished measuring) is not used. The full-text cut-off comes from the calibration whenever there is one.
 */
export function relevanceCutoffs(workspace: {
  embedModel: string | null;
  settings: { relevanceCutoff?: number };
  relevanceCalibration: RelevanceCalibration | null;
}): RelevanceCutoffs {
  const stored = workspace.relevanceCalibration;
  const calibration = stored && stored.model === workspace.embedModel ? stored : null;
  const fullTextCutoff = calibration ? cutoffAbove(calibration.fullText) : null;
  const manual = workspace.settings.relevanceCutoff;
  if (manual !== undefined) return { cutoff: manual, fullTextCutoff, source: "manual", calibration };
  if (calibration)
    return { cutoff: cutoffAbove(calibration.vector), fullTextCutoff, source: "calibrated", calibration };
  return { cutoff: DEFAULT_RELEVANCE_CUTOFF, fullTextCutoff, source: "default", calibration: null };
}

/** What the relevance decision reads of a search result (a structural type: reranked results fit too). */
export interface RelevanceEvidence {
  text: string;
  headings: readonly string[];
  /** Cosine similarity to the question; null when found by full text only. */
  relevance: number | null;
  /** BM25 of the passage for the question; null or absent when full text did not find it. */
  fullTextScore?: number | null;
  /** A reranker's score, when one ran; preferred over the cosine similarity. */
  rerankScore?: number | null;
}

const hanCharacter = /^\p{Script=Han}$/u;

function wordsOf(text: string): string[] {
  return segmentWords(normalizeForIndex(text)).split(" ").filter(Boolean);
}

let scaffolding: Set<string> | undefined;

/**
 * The words the off-topic probe questions use (what, how, does, 什么, 怎么, 多少, …): the scaffolding of a question,
 * which says how it asks, not what about. Read from {@link PROBE_QUESTIONS} so that no hand-kept stop-word list
 * decides it.
 */
function questionScaffolding(): Set<string> {
  scaffolding ??= new Set(PROBE_QUESTIONS.flatMap(wordsOf));
  return scaffolding;
}

/**
 * The topic words of a question, which {@link queryCoverage} counts: its full-text words (jieba's for Chinese)
 * without single Han characters, mostly particles (的, 是, 在), and without question scaffolding (see
 * `questionScaffolding`); when that leaves none, the words without single Han characters, else all of them.
 */
export function coverageWords(query: string): string[] {
  const words = [...new Set(wordsOf(query))];
  const longer = words.filter((word) => !hanCharacter.test(word));
  const scaffold = questionScaffolding();
  const topic = longer.filter((word) => !scaffold.has(word));
  if (topic.length > 0) return topic;
  return longer.length > 0 ? longer : words;
}

/** The share (0..1) of {@link coverageWords} that a passage (its heading path and text) contains as words. */
export function queryCoverage(
  words: readonly string[],
  passage: Pick<RelevanceEvidence, "text" | "headings">,
): number {
  if (words.length === 0) return 0;
  const held = new Set(wordsOf(`${passage.headings.join(" ")}\n${passage.text}`));
  return words.filter((word) => held.has(word)).length / words.length;
}

/**
 * Whether full text matched a passage strongly: it found the passage, and either its BM25 is above what off-topic
 * questions reach in the workspace (any BM25 without a calibration) with at least {@link MIN_QUERY_COVERAGE} of the
 * question's topic words in it, or it is full text's best passage with at least {@link FIRST_MATCH_COVERAGE} of them.
 * Such a passage is never dropped, whatever its cosine: full text is how questions about names, codes and numbers
 * are answered, and an embedding model may score those passages low.
 */
export function isStrongFullTextMatch(
  result: RelevanceEvidence,
  options: {
    words: readonly string[];
    fullTextCutoff: number | null;
    /** The best BM25 among the passages retrieved for the question. */
    bestFullTextScore: number;
  },
): boolean {
  const score = result.fullTextScore;
  if (score === null || score === undefined) return false;
  const coverage = queryCoverage(options.words, result);
  const aboveChance = options.fullTextCutoff === null || score >= options.fullTextCutoff;
  if (aboveChance && coverage >= MIN_QUERY_COVERAGE) return true;
  return score >= options.bestFullTextScore && coverage >= FIRST_MATCH_COVERAGE;
}

/**
 * The results good enough to answer from, in their order: a strong full-text match ({@link isStrongFullTextMatch}),
 * or a passage whose reranker score (when present) reaches {@link RERANK_RELEVANCE_CUTOFF}, else whose cosine
 * reaches the cut-off in force. Query mode refuses when none is left. A cut-off of 0 keeps everything (refusal off).
 */
export function keepRelevant<T extends RelevanceEvidence>(
  results: readonly T[],
  options: { query: string; cutoffs: RelevanceCutoffs },
): T[] {
  const { cutoff, fullTextCutoff } = options.cutoffs;
  if (cutoff <= 0) return [...results];
  const words = coverageWords(options.query);
  const bestFullTextScore = Math.max(...results.map((result) => result.fullTextScore ?? -1));
  return results.filter((result) => {
    if (isStrongFullTextMatch(result, { words, fullTextCutoff, bestFullTextScore })) return true;
    if (result.rerankScore !== null && result.rerankScore !== undefined)
      return result.rerankScore >= RERANK_RELEVANCE_CUTOFF;
    return result.relevance !== null && result.relevance >= cutoff;
  });
}
