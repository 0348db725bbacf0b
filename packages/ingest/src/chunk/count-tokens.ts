/**
 * Token estimates without a tokenizer: fast, deterministic, and close enough to the tokenizers of the
 * embedding models we target (bge-m3's XLM-R sentencepiece, Qwen's BPE) to size chunks.
 *
 * - A CJK ideograph, kana or hangul syllable counts 1 token.
 * - A run of letters and digits (a "word" in any other script) counts `max(1, length / 4)` tokens: 1–1.5 for
 *   common English words (about 1.3 on average), and long identifiers, URLs or base64 blobs grow with their
 *   length instead of slipping through as one word.
 * - Every other non-space character (punctuation, symbols, emoji) counts 1 token.
 * - Whitespace counts nothing.
 */

/** Character classes of the token estimate. */
const SPACE = 0;
const WORD = 1;
const IDEOGRAPH = 2;
const OTHER = 3;
const HIGH_SURROGATE = 4;
const LOW_SURROGATE = 5;

let classTable: Uint8Array | undefined;

/** Classifies every BMP code unit once; lookups afterwards cost one array read. */
function getClassTable(): Uint8Array {
  if (classTable) return classTable;
  const table = new Uint8Array(0x10000);
  const wordPattern = /[\p{L}\p{M}\p{N}]/u;
  const spacePattern = /\s/u;
  for (let code = 0; code < 0x10000; code++) {
    if (code >= 0xd800 && code <= 0xdbff) table[code] = HIGH_SURROGATE;
    else if (code >= 0xdc00 && code <= 0xdfff) table[code] = LOW_SURROGATE;
    else if (isIdeographCode(code)) table[code] = IDEOGRAPH;
    else {
      const character = String.fromCharCode(code);
      if (spacePattern.test(character) || code === 0xfeff) table[code] = SPACE;
      else if (wordPattern.test(character)) table[code] = WORD;
      else table[code] = OTHER;
    }
  }
  classTable = table;
  return table;
}

/** True for a BMP code unit of a CJK ideograph, kana or hangul (one token each). */
export function isIdeographCode(code: number): boolean {
  return (
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0x3400 && code <= 0x4dbf) || // extension A
    (code >= 0xf900 && code <= 0xfaff) || // compatibility ideographs
    (code >= 0x3040 && code <= 0x30ff) || // hiragana, katakana
    (code >= 0x31f0 && code <= 0x31ff) || // katakana phonetic extensions
    (code >= 0xac00 && code <= 0xd7af) || // hangul syllables
    (code >= 0x1100 && code <= 0x11ff) || // hangul jamo
    (code >= 0x3130 && code <= 0x318f) || // hangul compatibility jamo
    code === 0x3005 || // 々
    code === 0x3007 // 〇
  );
}

/** True when the UTF-16 code unit is whitespace (including the ideographic space U+3000 and the BOM). */
export function isWhitespaceCode(code: number): boolean {
  return getClassTable()[code] === SPACE;
}

/**
 * Fills `weights` (length `end - start`) with the token weight of each code unit of `text[start, end)`, so that
 * summing a range of weights estimates the tokens of that range. A word's tokens are spread evenly over its
 * characters, which keeps the sum of a range that starts or ends inside a word proportional.
 */
function fillWeights(text: string, start: number, end: number, weights: Float64Array): void {
  const table = getClassTable();
  let wordStart = -1;
  const closeWord = (wordEnd: number) => {
    const length = wordEnd - wordStart;
    const perCharacter = Math.max(1, length / 4) / length;
    for (let index = wordStart; index < wordEnd; index++) weights[index - start] = perCharacter;
    wordStart = -1;
  };
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const kind = table[code];
    if (kind === WORD) {
      if (wordStart < 0) wordStart = index;
      continue;
    }
    if (wordStart >= 0) closeWord(index);
    // A surrogate pair (extension ideograph, emoji) counts once, on its high half.
    weights[index - start] = kind === SPACE || kind === LOW_SURROGATE ? 0 : 1;
  }
  if (wordStart >= 0) closeWord(end);
}

/**
 * Estimates the number of tokens an embedding or chat model sees in `text` (see the module comment for the
 * rules). CJK text counts about one token per character; English about 1.3 tokens per word.
 */
export function countTokens(text: string): number {
  if (text.length === 0) return 0;
  const weights = new Float64Array(text.length);
  fillWeights(text, 0, text.length, weights);
  let total = 0;
  for (let index = 0; index < weights.length; index++) total += weights[index]!;
  return roundTokens(total);
}

/** Rounds a fractional token sum up, ignoring floating-point noise. */
export function roundTokens(total: number): number {
  // `|| 0` turns the -0 of an all-whitespace text into 0.
  return Math.ceil(total - 1e-6) || 0;
}

/**
 * Cumulative token weights over `text[start, end)`: `prefix[i - start]` is the estimated tokens of
 * `text[start, i)`, so the tokens of any sub-range are one subtraction away. Used by the chunker to size
 * candidate chunks in O(1).
 */
export class TokenPrefix {
  readonly start: number;
  readonly end: number;
  private readonly prefix: Float64Array;

  constructor(text: string, start: number, end: number) {
    this.start = start;
    this.end = end;
    const weights = new Float64Array(end - start);
    fillWeights(text, start, end, weights);
    const prefix = new Float64Array(end - start + 1);
    for (let index = 0; index < weights.length; index++) prefix[index + 1] = prefix[index]! + weights[index]!;
    this.prefix = prefix;
  }

  /** Estimated (fractional) tokens of `text[from, to)`; both offsets are document offsets within the range. */
  tokens(from: number, to: number): number {
    return this.prefix[to - this.start]! - this.prefix[from - this.start]!;
  }

  /**
   * The largest offset `to` in `[from, limit]` with `tokens(from, to) <= budget`, found by binary search
   * (the prefix never decreases).
   */
  furthestWithin(from: number, limit: number, budget: number): number {
    const base = this.prefix[from - this.start]! + budget + 1e-6;
    let low = from;
    let high = limit;
    while (low < high) {
      const middle = (low + high + 1) >>> 1;
      if (this.prefix[middle - this.start]! <= base) low = middle;
      else high = middle - 1;
    }
    return low;
  }

  /**
   * The smallest offset `from` in `[limit, to]` with `tokens(from, to) <= budget`.
   */
  earliestWithin(limit: number, to: number, budget: number): number {
    const base = this.prefix[to - this.start]! - budget - 1e-6;
    let low = limit;
    let high = to;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (this.prefix[middle - this.start]! >= base) high = middle;
      else low = middle + 1;
    }
    return low;
  }
}
