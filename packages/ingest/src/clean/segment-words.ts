import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";

/** jieba with its default dictionary, loaded on first use (about 150 ms and 40 MB); it holds no other state. */
let segmenter: Jieba | undefined;

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
 * Splits text into words for the full-text index: Han runs by jieba's dictionary in search mode (long words also
 * yield their shorter parts, so 全文索引 is found by 索引 too), other text into words that keep codes whole (utf-8,
 * c++, redis_6379) followed by their parts; punctuation is dropped. Both stored text and queries go through it, so
 * they match word for word. On the evaluation set this beats character n-grams for Chinese and English alike
 * (bench/results/tokenizer.json). Returns the words separated by spaces.
 */
export function segmentWords(text: string): string {
  return segmentWordsOfEach([text])[0]!;
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
  const words: string[] = [];
  for (let start = 0; start < texts.length; start += TEXTS_PER_CALL)
    words.push(...segmentTogether(texts.slice(start, start + TEXTS_PER_CALL)));
  return words;
}

function segmentTogether(texts: readonly string[]): string[] {
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
  let pieces: string[] = [];
  if (runs.length > 0) {
    segmenter ??= Jieba.withDict(dict);
    pieces = segmenter.cutForSearch(runs.join(runSeparator), true);
  }
  let next = 0;
  return stretches.map((between) => {
    const out: string[] = [];
    between.forEach((words, index) => {
      if (index > 0) {
        while (next < pieces.length && pieces[next] !== runSeparator) out.push(pieces[next++]!);
        next++;
      }
      if (words) out.push(words);
    });
    return out.join(" ");
  });
}
