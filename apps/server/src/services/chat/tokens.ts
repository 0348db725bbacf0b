const cjkPattern = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;

/**
 * Estimates how many model tokens a text takes: one per CJK character, one per four other characters.
 * Deliberately simple (no tokenizer download); budgets built on it keep a reply reserve for the error.
 */
export function estimateTokens(text: string): number {
  const cjk = text.match(cjkPattern)?.length ?? 0;
  const other = text.length - cjk;
  return cjk + Math.ceil(other / 4);
}
