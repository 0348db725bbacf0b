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
const compound = /[^\p{L}\p{M}\p{N}]/u;
const wordPattern = /[\p{L}\p{N}]/u;

/**
 * Splits text into words for the full-text index: Han runs by jieba's dictionary in search mode (long words also
 * yield their shorter parts, so 全文索引 is found by 索引 too), other text into words that keep codes whole (utf-8,
 * c++, redis_6379) followed by their parts; tokens without a letter or digit are dropped. Both stored text and queries go through it, so they match word for word.
 * On the evaluation set this beats character n-grams for Chinese and English alike (bench/results/tokenizer.json).
 * jieba runs natively (@node-rs/jieba) and only on Han text: English, code and numbers are cut here, several
 * times faster.
 */
export function segmentWords(text: string): string {
  const words: string[] = [];
  for (const match of text.matchAll(token)) {
    const [word, hanRun] = match;
    if (hanRun) {
      segmenter ??= Jieba.withDict(dict);
      for (const piece of segmenter.cutForSearch(hanRun, true))
        if (wordPattern.test(piece)) words.push(piece);
      continue;
    }
    words.push(word);
    // Its parts too, as search mode adds the parts of long Chinese words: "memory" finds in-memory.
    if (compound.test(word)) for (const [piece] of word.matchAll(wordPart)) words.push(piece);
  }
  return words.join(" ");
}
