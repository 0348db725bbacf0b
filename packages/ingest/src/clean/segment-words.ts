import { Jieba } from "@node-rs/jieba";
import { dict } from "@node-rs/jieba/dict.js";

/** jieba with its default dictionary, loaded on first use (about 150 ms and 40 MB); it holds no other state. */
let segmenter: Jieba | undefined;

const wordPattern = /[\p{L}\p{N}]/u;

/**
 * Splits text into words for the full-text index: Chinese by jieba's dictionary in search mode (long words also
 * yield their shorter parts, so 全文索引 is found by 索引 too), other scripts on spaces and punctuation; tokens
 * without a letter or digit are dropped. Both stored text and queries go through it, so they match word for word.
 * On the evaluation set this beats character n-grams for Chinese and English alike (bench/results/tokenizer.json).
 * jieba runs natively (@node-rs/jieba): the same words as its WebAssembly build, about three times faster.
 */
export function segmentWords(text: string): string {
  segmenter ??= Jieba.withDict(dict);
  return segmenter
    .cutForSearch(text, true)
    .filter((token) => wordPattern.test(token))
    .join(" ");
}
