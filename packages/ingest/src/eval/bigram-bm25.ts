import { normalizeForIndex } from "../clean/index.js";
import { distinctInOrder } from "./metrics.js";

/** Han ideographs, as the full-text index counts them (segment-words.ts). */
const hanRun = /[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}]+/gu;
const otherWord = /[\p{L}\p{N}]+/gu;

/**
 * The terms of a plain character-bigram tokenizer, the usual baseline for Chinese full text: the text normalised
 * (NFKC, lower case), each Han run as its overlapping character pairs (one character alone as itself), every other
 * run of letters or digits as a word. No dictionary, no folding of scripts.
 */
export function bigramTerms(text: string): string[] {
  const normalized = normalizeForIndex(text);
  const terms: string[] = [];
  for (const [run] of normalized.matchAll(hanRun)) {
    const characters = Array.from(run);
    if (characters.length === 1) terms.push(run);
    for (let index = 1; index < characters.length; index++)
      terms.push(characters[index - 1]! + characters[index]!);
  }
  for (const [word] of normalized.replace(hanRun, " ").matchAll(otherWord)) terms.push(word);
  return terms;
}

/** A passage to rank: the document it belongs to and its text. */
export interface Passage {
  document: string;
  text: string;
}

/** Okapi BM25 parameters, the common defaults. */
const K1 = 1.2;
const B = 0.75;

/**
 * Okapi BM25 (k1 1.2, b 0.75) over {@link bigramTerms}: the baseline Zhiku's full text is measured against. Ranks
 * passages by the summed scores of the query's terms and returns their documents, distinct, best first.
 */
export function createBigramBm25(passages: readonly Passage[]): { rank(query: string): string[] } {
  const counts = passages.map((passage) => {
    const frequencies = new Map<string, number>();
    for (const term of bigramTerms(passage.text)) frequencies.set(term, (frequencies.get(term) ?? 0) + 1);
    return frequencies;
  });
  const lengths = passages.map((passage) => bigramTerms(passage.text).length);
  const averageLength = lengths.reduce((sum, length) => sum + length, 0) / Math.max(1, passages.length);
  const documentFrequency = new Map<string, number>();
  for (const frequencies of counts)
    for (const term of frequencies.keys())
      documentFrequency.set(term, (documentFrequency.get(term) ?? 0) + 1);
  const idf = (term: string) => {
    const df = documentFrequency.get(term) ?? 0;
    return Math.log(1 + (passages.length - df + 0.5) / (df + 0.5));
  };
  return {
    rank(query) {
      const terms = bigramTerms(query);
      const scored = counts
        .map((frequencies, position) => {
          let score = 0;
          for (const term of terms) {
            const frequency = frequencies.get(term);
            if (!frequency) continue;
            const norm = K1 * (1 - B + (B * lengths[position]!) / averageLength);
            score += (idf(term) * frequency * (K1 + 1)) / (frequency + norm);
          }
          return { document: passages[position]!.document, score };
        })
        .filter((entry) => entry.score > 0)
        .sort((a, b) => b.score - a.score);
      return distinctInOrder(scored.map((entry) => entry.document));
    },
  };
}
