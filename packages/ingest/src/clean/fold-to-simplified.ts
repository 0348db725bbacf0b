import { ConverterFactory, type ConverterFunction } from "opencc-js/core";
import { from, to } from "opencc-js/preset/t2cn";

/**
 * Traditional Chinese to Simplified, character by character with OpenCC's phrase tables (opencc-js, its
 * dictionaries bundled, nothing fetched): Taiwan and Hong Kong variants first (裡 → 裏, 衞 → 衛), then Traditional to
 * Simplified, phrases before characters (赫羅圖 → 赫罗图, 乾燥 → 干燥 but 乾隆 stays). No regional vocabulary is swapped
 * (臺灣的軟體 → 台湾的软体, not 软件): the fold makes the two scripts of one word the same word, it does not translate.
 * Built on first use (about 50 ms).
 */
let converter: ConverterFunction | undefined;

/**
 * Folds Traditional Chinese characters to Simplified ones, for what the full-text index sees: the stored text and
 * what is shown stay as written. Simplified text comes back unchanged, so both scripts meet in one form and jieba's
 * Simplified dictionary cuts them alike. Characters outside Chinese pass through untouched.
 */
export function foldToSimplified(text: string): string {
  converter ??= ConverterFactory([[...from.tw![0]!, ...from.hk![0]!]], to.cn!);
  return converter(text);
}
