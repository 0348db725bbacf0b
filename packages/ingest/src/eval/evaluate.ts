import { z } from "zod";
import { ZhikuError } from "../errors.js";
import type { KnowledgeBase, SearchMode } from "../knowledge-base.js";
import {
  keepRelevant,
  RERANK_RELEVANCE_CUTOFF,
  type RelevanceCutoffs,
  type RelevanceEvidence,
} from "../refuse/relevance.js";
import { parseJsonLines } from "./json-lines.js";
import { distinctInOrder, ndcgAt, recallAt, reciprocalRank } from "./metrics.js";

const questionSchema = z.object({
  id: z.string().min(1),
  question: z.string().min(1),
  expected: z.array(z.string().min(1)),
  lang: z.string().min(1).optional(),
  paraphrased: z.boolean().optional(),
});

/** One line of an evaluation set: a question and the documents that answer it (none: not answerable). */
export type EvalQuestion = z.infer<typeof questionSchema>;

/**
 * Reads a JSONL evaluation set.
 * @throws ZhikuError `invalid:input` naming the source, the line and the field that is wrong.
 */
export function parseQuestions(text: string, source: string): EvalQuestion[] {
  return parseJsonLines(text, source, questionSchema, "questions");
}

/** Ranking figures over a group of answerable questions. */
export interface RankingFigures {
  questions: number;
  recallAt1: number;
  recallAt5: number;
  recallAt10: number;
  mrr: number;
  ndcgAt10: number;
}

/**
 * What `zhiku eval` measures: a search mode with its candidates in the fused order, or `hybrid+rerank`, hybrid
 * search whose candidates the reranker reordered (needs a knowledge base opened with a reranker).
 */
export type EvalMode = SearchMode | "hybrid+rerank";

/** Every {@link EvalMode}, in report order. */
export const EVAL_MODES: readonly EvalMode[] = ["fulltext", "vector", "hybrid", "hybrid+rerank"];

/** Figures of one search mode. */
export interface ModeReport {
  mode: EvalMode;
  /** Over all answerable questions. */
  overall: RankingFigures;
  /** Per language (`lang` of the questions; "unknown" when missing). */
  byLanguage: Record<string, RankingFigures>;
  /** Over the answerable questions worded differently from their source text. */
  paraphrased?: RankingFigures;
  /**
   * How often query mode would refuse: unanswerable questions (should) and answerable ones (should not). `cutoff` is
   * the cosine cut-off, or for `hybrid+rerank` the reranker's ({@link RERANK_RELEVANCE_CUTOFF}), which decides there.
   */
  refusals: { cutoff: number; unanswerable: number; refusedUnanswerable: number; refusedAnswerable: number };
  /** Refusal rates at other cosine cut-offs, to choose one (vector and hybrid only). */
  cutoffSweep?: { cutoff: number; refusedUnanswerableRate: number; refusedAnswerableRate: number }[];
  /** Questions whose expected documents were not in the top 10. */
  misses: string[];
}

/** A whole evaluation run. */
export interface EvalReport {
  workspace: string;
  embedModel: string | null;
  questions: number;
  modes: ModeReport[];
}

/** Options for {@link evaluate}. */
export interface EvaluateOptions {
  knowledgeBase: KnowledgeBase;
  workspace: string;
  questions: EvalQuestion[];
  /** Modes to measure; default fulltext, vector, hybrid. `hybrid+rerank` needs a knowledge base with a reranker. */
  modes?: EvalMode[];
  /** Cosine cut-off used to decide refusals; default the workspace's cut-off in force (calibrated, manual or default). */
  relevanceCutoff?: number;
  /** Passages fetched per question; distinct documents among them are ranked. Default 30. */
  passages?: number;
  onProgress?: (done: number, total: number) => void;
}

interface Observation {
  question: EvalQuestion;
  ranked: string[];
  /** The passages found, as the refusal decision reads them. */
  passages: RelevanceEvidence[];
}

/** Ranking figures over questions, each with its ranked documents (distinct, best first) and the expected ones. */
export function rankingFigures(
  rankings: readonly { ranked: string[]; expected: string[] }[],
): RankingFigures {
  const count = rankings.length;
  const mean = (score: (ranking: { ranked: string[]; expected: string[] }) => number) =>
    count === 0 ? 0 : Number((rankings.reduce((sum, ranking) => sum + score(ranking), 0) / count).toFixed(4));
  return {
    questions: count,
    recallAt1: mean((r) => recallAt(r.ranked, r.expected, 1)),
    recallAt5: mean((r) => recallAt(r.ranked, r.expected, 5)),
    recallAt10: mean((r) => recallAt(r.ranked, r.expected, 10)),
    mrr: mean((r) => reciprocalRank(r.ranked, r.expected)),
    ndcgAt10: mean((r) => ndcgAt(r.ranked, r.expected, 10)),
  };
}

function figures(observations: Observation[]): RankingFigures {
  return rankingFigures(
    observations.map(({ ranked, question }) => ({ ranked, expected: question.expected })),
  );
}

/** Whether query mode would refuse: no passage passes the cut-offs, the cosine one set to `cutoff`. */
function refused(observation: Observation, cutoffs: RelevanceCutoffs, cutoff: number): boolean {
  return (
    keepRelevant(observation.passages, {
      query: observation.question.question,
      cutoffs: { ...cutoffs, cutoff },
    }).length === 0
  );
}

/**
 * Runs every question against the workspace in each mode and reports recall@1/5/10, MRR and nDCG@10 overall,
 * per language and for paraphrased questions, plus how often query mode would refuse.
 */
export async function evaluate(options: EvaluateOptions): Promise<EvalReport> {
  const modes = options.modes ?? ["fulltext", "vector", "hybrid"];
  const workspace = options.knowledgeBase.requireWorkspace(options.workspace);
  const total = modes.length * options.questions.length;
  let done = 0;
  const reports: ModeReport[] = [];
  for (const mode of modes) {
    const observations: Observation[] = [];
    const reranked = mode === "hybrid+rerank";
    const searchMode: SearchMode = reranked ? "hybrid" : mode;
    for (const question of options.questions) {
      const response = await options.knowledgeBase.search({
        workspace: options.workspace,
        query: question.question,
        mode: searchMode,
        limit: options.passages ?? 30,
        rerank: reranked,
      });
      if (response.mode !== searchMode) {
        throw new ZhikuError(
          "unavailable:ollama",
          `Cannot evaluate ${mode} search: ${response.fallbackReason ?? "it fell back to full text"}`,
        );
      }
      // A figure of the fused order labelled as reranked would mislead: a reranker that fails stops the run.
      if (reranked && !response.rerank?.applied) {
        throw new ZhikuError(
          "unavailable:reranker",
          `Cannot evaluate ${mode} search: ${response.rerank?.fallbackReason ?? "no reranker is configured (--rerank-url)"}`,
        );
      }
      observations.push({
        question,
        ranked: distinctInOrder(response.results.map((result) => result.documentName)),
        passages: response.results,
      });
      options.onProgress?.(++done, total);
    }
    const answerable = observations.filter((observation) => observation.question.expected.length > 0);
    const unanswerable = observations.filter((observation) => observation.question.expected.length === 0);
    const languages = [
      ...new Set(answerable.map((observation) => observation.question.lang ?? "unknown")),
    ].sort();
    const paraphrased = answerable.filter((observation) => observation.question.paraphrased);
    const refusalsAt = (cutoff: number) => ({
      refusedUnanswerable: unanswerable.filter((observation) =>
        refused(observation, workspace.refusal, cutoff),
      ).length,
      refusedAnswerable: answerable.filter((observation) => refused(observation, workspace.refusal, cutoff))
        .length,
    });
    const cutoff = options.relevanceCutoff ?? workspace.refusal.cutoff;
    reports.push({
      mode,
      overall: figures(answerable),
      byLanguage: Object.fromEntries(
        languages.map((language) => [
          language,
          figures(answerable.filter((observation) => (observation.question.lang ?? "unknown") === language)),
        ]),
      ),
      ...(paraphrased.length > 0 ? { paraphrased: figures(paraphrased) } : {}),
      refusals: {
        // With reranker scores on every passage, the cosine cut-off is not read (see keepRelevant).
        cutoff: reranked ? RERANK_RELEVANCE_CUTOFF : cutoff,
        unanswerable: unanswerable.length,
        ...refusalsAt(cutoff),
      },
      ...(mode === "fulltext" || reranked
        ? {}
        : {
            cutoffSweep: [0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6].map((cutoff) => {
              const counts = refusalsAt(cutoff);
              return {
                cutoff,
                refusedUnanswerableRate: unanswerable.length
                  ? Number((counts.refusedUnanswerable / unanswerable.length).toFixed(3))
                  : 0,
                refusedAnswerableRate: answerable.length
                  ? Number((counts.refusedAnswerable / answerable.length).toFixed(3))
                  : 0,
              };
            }),
          }),
      misses: answerable
        .filter((observation) => recallAt(observation.ranked, observation.question.expected, 10) === 0)
        .map((observation) => observation.question.id),
    });
  }
  return {
    workspace: options.workspace,
    embedModel: workspace.embedModel,
    questions: options.questions.length,
    modes: reports,
  };
}

/**
 * A plain-text table of a report, with a note on which figures need a real embedding model (and, with
 * `standInReranker`, a real reranker).
 */
export function formatReport(
  report: EvalReport,
  options: { standInEmbedder: boolean; standInReranker?: boolean },
): string {
  const percent = (value: number) => `${(value * 100).toFixed(1)}%`.padStart(7);
  const lines = [
    `Workspace "${report.workspace}", ${report.questions} questions, embeddings: ${report.embedModel ?? "none"}`,
    "",
    "mode           group           n   R@1     R@5     R@10    MRR     nDCG@10",
  ];
  for (const mode of report.modes) {
    const row = (group: string, figures: RankingFigures) =>
      `${mode.mode.padEnd(14)} ${group.padEnd(12)} ${String(figures.questions).padStart(4)} ${percent(figures.recallAt1)} ${percent(figures.recallAt5)} ${percent(figures.recallAt10)} ${figures.mrr.toFixed(3).padStart(7)} ${figures.ndcgAt10.toFixed(3).padStart(7)}`;
    lines.push(row("all", mode.overall));
    for (const [language, figures] of Object.entries(mode.byLanguage)) lines.push(row(language, figures));
    if (mode.paraphrased) lines.push(row("paraphrased", mode.paraphrased));
  }
  lines.push("", "Query-mode refusals (no passage passes the relevance cut-off):");
  for (const mode of report.modes) {
    const { cutoff, unanswerable, refusedUnanswerable, refusedAnswerable } = mode.refusals;
    const answerable = mode.overall.questions;
    const scale = mode.mode === "hybrid+rerank" ? "reranker cut-off" : "cut-off";
    lines.push(
      `  ${mode.mode.padEnd(13)} ${scale} ${cutoff}: refused ${refusedUnanswerable}/${unanswerable} unanswerable, ${refusedAnswerable}/${answerable} answerable`,
    );
  }
  lines.push(
    "",
    options.standInEmbedder
      ? "Note: embeddings came from the stand-in Ollama, whose vectors are lexical (hashed words and character\n" +
          "pairs). The fulltext figures are real; vector, hybrid and refusal figures need a real embedding model\n" +
          "(run against Ollama with bge-m3 to measure them)."
      : "Note: vector, hybrid and refusal figures depend on the embedding model named above.",
  );
  if (options.standInReranker) {
    lines.push(
      "The reranker was the stand-in's, which scores by shared words and characters (lexical): the hybrid+rerank\n" +
        "figures are the stand-in's, not a cross-encoder's (run with --rerank-url at a real reranker to measure them).",
    );
  }
  return lines.join("\n");
}
