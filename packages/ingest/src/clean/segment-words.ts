import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";
import { foldToSimplified } from "./fold-to-simplified.js";

/** jieba with its default dictionary, loaded on first use (about 150 ms and 40 MB); it holds no other state. */
let segmenter: Jieba | undefined;

/**
 * Loads jieba's dictionary now instead of on the first search or ingestion. A long-running process calls it before
 * it serves: the load holds the thread for 150 ms on an idle machine and over a second on a busy one, which on the
 * first search under load is a stall every request waits behind.
 */
export function preloadWordSegmenter(): void {
  wordSegmenter();
}

function wordSegmenter(): Jieba {
  segmenter ??= Jieba.withDict(dict);
  return segmenter;
}

/** Han ideographs (BMP and the supplementary planes): the only text jieba's dictionary can cut. */
const han = String.raw`\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u{20000}-\u{2fa1f}`;
/** Letters, marks, digits and underscores that are not Han. */
const letter = String.raw`[[\p{L}\p{M}\p{N}_]--[${han}]]`;
/**
 * One pass over the text: a Han run (group 1) for jieba, or another word — letters and digits joined by
 * `- . & + #` (utf-8, redis_6379, v1.2.3, initlen+1, img.shields.io) and followed by `+ # %` (c++, c#, 50%), as
 * jieba keeps codes whole.
 */
const token = new RegExp(String.raw`([${han}]+)|${letter}+(?:[\-.&+#]${letter}+)*[+#%]*`, "gv");
/** The letter-and-digit parts of a compound word. */
const wordPart = /[\p{L}\p{M}\p{N}]+/gu;
/** A word of {@link token} is compound when it holds one of the characters that join or end words. */
const joiner = /[_\-.&+#%]/;
/**
 * Joins the Han runs handed to jieba in one call. jieba never cuts across whitespace and gives it back as a piece
 * of its own, so the pieces between two separators are the words of one run.
 */
const runSeparator = "\n";

/**
 * Splits text into words for the full-text index: Han runs folded to Simplified ({@link foldToSimplified}: both
 * scripts of a word become one word) and cut by jieba's dictionary in search mode (long words also yield their
 * shorter parts, so 全文索引 is found by 索引 too), other text into words that keep codes whole (utf-8, c++,
 * redis_6379) followed by their parts; punctuation is dropped. Both stored text and queries go through it, so they
 * match word for word. On the evaluation set this beats character n-grams for Chinese and English alike
 * (bench/results/tokenizer.json). Returns the words separated by spaces.
 */
export function segmentWords(text: string): string {
  return segmentTogether([text])[0]!.words;
}

/**
 * Texts whose Han runs go to jieba in one call. A call per run costs about a fifth more (bench/ingest); much larger
 * calls cost more again, in the garbage of one huge array of pieces.
 */
const TEXTS_PER_CALL = 16;

/**
 * {@link segmentWords} for many texts at once: the Han runs of {@link TEXTS_PER_CALL} texts go to jieba (native,
 * `@node-rs/jieba`) in one call; English, code and numbers are cut here, several times faster than by jieba.
 */
export function segmentWordsOfEach(texts: readonly string[]): string[] {
  return segmentInCalls(texts).map((segmented) => segmented.words);
}

/**
 * What the full-text index holds for each text: its words ({@link segmentWords}) followed by the character pairs of
 * its Han runs, marked ({@link hanPairs}). jieba cuts a run by its dictionary, so a name it does not know, or a term
 * it cuts otherwise inside a longer run, may have no word in common with the query (尚恩有什么爱好 → 尚恩有 什么 爱好,
 * against 尚恩 喜欢 … in the text); it still has its character pairs in common (尚恩_). Queries look pairs up with less weight
 * than words (see `fullTextClauses`), so whole-word matches keep ranking first.
 */
export function indexWordsOfEach(texts: readonly string[]): string[] {
  return segmentInCalls(texts).map(({ words, pairs }) => (pairs ? `${words} ${pairs}` : words));
}

/** The two kinds of terms a query is looked up with: its words and the marked pairs of its Han runs. */
export interface QueryTerms {
  /** {@link segmentWords} of the query, separated by spaces; empty when it has none. */
  words: string;
  /** {@link hanPairs} of the query's Han runs, separated by spaces; empty when it has none. */
  pairs: string;
}

/**
 * The words and character pairs of a query, cut as {@link indexWordsOfEach} cuts what is stored. A query with
 * Traditional characters also keeps those of its unfolded words that folding changes: chunks indexed before
 * folding hold such words until their workspace is re-indexed (`zhiku reembed`); a folded index holds none of
 * them, so there they count for nothing and a Traditional query ranks as its Simplified twin does.
 */
export function queryTerms(query: string): QueryTerms {
  const terms = segmentTogether([query])[0]!;
  if (foldToSimplified(query) === query) return terms;
  const unfolded = segmentTogether([query], { fold: false })[0]!.words;
  const traditional = unfolded.split(" ").filter((word) => foldToSimplified(word) !== word);
  return traditional.length > 0 ? { ...terms, words: [terms.words, ...traditional].join(" ") } : terms;
}

/**
 * Marks a character pair so it never meets a word in the index: a two-character word (索引) and the pair 索引 cut
 * across two words are different terms, each with its own frequency. Only Han runs yield pairs, and words outside
 * them never hold Han characters, so no word ends like a pair.
 */
export const PAIR_MARK = "_";

/**
 * The overlapping character pairs of a (folded) Han run, each followed by {@link PAIR_MARK}: 赫罗图 → 赫罗_ 罗图_. A
 * single character yields none (jieba gives it as a word already).
 */
export function hanPairs(run: string): string[] {
  const characters = Array.from(run);
  const pairs: string[] = [];
  for (let index = 1; index < characters.length; index++)
    pairs.push(`${characters[index - 1]}${characters[index]}${PAIR_MARK}`);
  return pairs;
}

/** Words and pairs of one text, each separated by spaces. */
type Segmented = QueryTerms;

function segmentInCalls(texts: readonly string[]): Segmented[] {
  const segmented: Segmented[] = [];
  for (let start = 0; start < texts.length; start += TEXTS_PER_CALL)
    segmented.push(...segmentTogether(texts.slice(start, start + TEXTS_PER_CALL)));
  return segmented;
}

/** Folds the Han runs of many texts to Simplified in one call; one call a run where the joined fold loses count. */
function foldRuns(runs: readonly string[]): string[] {
  if (runs.length === 0) return [];
  const folded = foldToSimplified(runs.join(runSeparator)).split(runSeparator);
  // The converter maps Han characters to Han characters and leaves the separator alone, so this is a safeguard.
  return folded.length === runs.length ? folded : runs.map((run) => foldToSimplified(run));
}

function segmentTogether(texts: readonly string[], options: { fold: boolean } = { fold: true }): Segmented[] {
  // Each text as the words between its Han runs, one string per stretch: runs.length + 1 of them.
  const stretches: string[][] = [];
  const runs: string[] = [];
  for (const text of texts) {
    const between: string[] = [];
    let words = "";
    for (const match of text.matchAll(token)) {
      const [word, hanRun] = match;
      if (hanRun) {
        runs.push(hanRun);
        between.push(words);
        words = "";
        continue;
      }
      words += words ? ` ${word}` : word;
      // Its parts too, as search mode adds the parts of long Chinese words: "memory" finds in-memory.
      if (joiner.test(word)) for (const [piece] of word.matchAll(wordPart)) words += ` ${piece}`;
    }
    between.push(words);
    stretches.push(between);
  }
  const folded = options.fold ? foldRuns(runs) : runs;
  let pieces: string[] = [];
  if (folded.length > 0) {
    pieces = wordSegmenter().cutForSearch(folded.join(runSeparator), true);
  }
  let next = 0;
  let run = 0;
  return stretches.map((between) => {
    const out: string[] = [];
    const pairs: string[] = [];
    between.forEach((words, index) => {
      if (index > 0) {
        while (next < pieces.length && pieces[next] !== runSeparator) out.push(pieces[next++]!);
        next++;
        pairs.push(...hanPairs(folded[run++]!));
      }
      if (words) out.push(words);
    });
    return { words: out.join(" "), pairs: pairs.join(" ") };
  });
}
