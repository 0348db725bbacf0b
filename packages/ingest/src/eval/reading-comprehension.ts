import { ConverterFactory, type ConverterFunction } from "opencc-js/core";
import { from, to } from "opencc-js/preset/t2cn";
import { z } from "zod";
import type { KnowledgeBase } from "../knowledge-base.js";
import { createBigramBm25, type Passage } from "./bigram-bm25.js";
import { type EvalQuestion, evaluate, type RankingFigures, rankingFigures } from "./evaluate.js";
import { parseJsonLines } from "./json-lines.js";

const paragraphSchema = z.object({
  id: z.string().min(1),
  title: z.string().min(1),
  context: z.string().min(1),
  questions: z.array(z.object({ id: z.string().min(1), question: z.string().min(1) })).min(1),
});

/** A paragraph of a reading-comprehension set (eval/drcd) with the questions it answers. */
export type ReadingParagraph = z.infer<typeof paragraphSchema>;

/**
 * Reads a reading-comprehension sample: one paragraph a line, `{id, title, context, questions: [{id, question}]}`.
 * @throws ZhikuError `invalid:input` naming the source, the line and the field that is wrong.
 */
export function parseReadingParagraphs(text: string, source: string): ReadingParagraph[] {
  return parseJsonLines(text, source, paragraphSchema, "paragraphs");
}

let mainland: ConverterFunction | undefined;

/**
 * Taiwan Traditional to mainland Simplified as a mainland writer would put it: characters and Taiwan vocabulary
 * (軟體 → 软件, 網際網路 → 互联网), OpenCC's tw2sp. It is not the index's fold (characters only), so the Simplified copy
 * of a set differs from what folding its Traditional original gives wherever the vocabulary differs.
 */
export function toMainlandSimplified(text: string): string {
  mainland ??= ConverterFactory(from.twp!, to.cn!);
  return mainland(text);
}

/** A reading set as documents to ingest (one Markdown file a paragraph, its article title as heading) and questions. */
export function readingSet(
  paragraphs: readonly ReadingParagraph[],
  convert: (text: string) => string = (text) => text,
): { documents: { name: string; bytes: Uint8Array }[]; questions: EvalQuestion[] } {
  const encoder = new TextEncoder();
  return {
    documents: paragraphs.map((paragraph) => ({
      name: `${paragraph.id}.md`,
      bytes: encoder.encode(`# ${convert(paragraph.title)}\n\n${convert(paragraph.context)}\n`),
    })),
    questions: paragraphs.flatMap((paragraph) =>
      paragraph.questions.map((question) => ({
        id: question.id,
        question: convert(question.question),
        expected: [`${paragraph.id}.md`],
        lang: "zh",
      })),
    ),
  };
}

/** Document-level figures of Zhiku's full-text search and of the character-bigram BM25 baseline on one set. */
export interface BaselineComparison {
  zhiku: RankingFigures;
  bigramBm25: RankingFigures;
}

/**
 * Measures Zhiku's full-text search on a workspace against a plain character-bigram BM25 ({@link createBigramBm25})
 * over the same chunks (heading path and text, as the index sees them). Full text needs no embedding model.
 */
export async function compareWithBigramBaseline(options: {
  knowledgeBase: KnowledgeBase;
  workspace: string;
  /** Answerable questions. */
  questions: EvalQuestion[];
}): Promise<BaselineComparison> {
  const { knowledgeBase, workspace, questions } = options;
  const report = await evaluate({
    knowledgeBase,
    workspace,
    questions,
    modes: ["fulltext"],
  });
  const passages: Passage[] = [];
  for (const document of knowledgeBase.listDocuments(workspace)) {
    for (const chunk of await knowledgeBase.listChunks(workspace, document.id))
      passages.push({ document: document.name, text: `${chunk.headings.join(" > ")}\n${chunk.text}` });
  }
  const bm25 = createBigramBm25(passages);
  return {
    zhiku: report.modes[0]!.overall,
    bigramBm25: rankingFigures(
      questions.map((question) => ({ ranked: bm25.rank(question.question), expected: question.expected })),
    ),
  };
}
