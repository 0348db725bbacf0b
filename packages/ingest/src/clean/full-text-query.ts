import { type FullTextQuery, MatchQuery } from "@lancedb/lancedb";
import { queryTerms } from "./segment-words.js";

/**
 * How much a character pair of the query counts against a word (BM25 scores of the pair clause are multiplied by
 * it). Pairs find what words miss (an unknown name, a term jieba cuts otherwise inside a longer run) but a query
 * of ten characters has nine of them, so at full weight they outvote the words and pull up texts that share only
 * characters: on eval/ that took Chinese recall@1 from 0.978 to 0.911 (0.933 at 0.5). From 0.1 to 0.4 eval/ keeps
 * 0.978, and on the DRCD sample recall@1 goes from 0.923 (0.1) to 0.937 (0.4); 0.3 sits in the middle of that
 * range, away from the drop at 0.5 (bench/results/chinese-full-text.json).
 */
export const PAIR_WEIGHT = 0.3;

/**
 * The full-text clauses for `query` against a column of `indexWordsOfEach` terms: its words, and its marked Han
 * character pairs at {@link PAIR_WEIGHT}, either of which may match (a text needs neither all words nor all
 * pairs); the store sums their scores per chunk, as a `Should` BooleanQuery would. Empty when the query has
 * nothing to look up (punctuation alone).
 */
export function fullTextClauses(query: string, column: string): FullTextQuery[] {
  const { words, pairs } = queryTerms(query);
  const clauses: FullTextQuery[] = [];
  if (words) clauses.push(new MatchQuery(words, column));
  if (pairs) clauses.push(new MatchQuery(pairs, column, { boost: PAIR_WEIGHT }));
  return clauses;
}
