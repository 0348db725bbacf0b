/**
 * A rough token count for the stand-in's `prompt_eval_count`: one token per CJK character, per symbol and per
 * four letters or digits of a word (at least one per word). The stand-in only needs a stable, plausible
 * number; the product's own estimate lives in the ingest package, which the stand-in must not import.
 */
const TOKEN_PATTERN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;

/** Estimated number of tokens in `text`; 0 for empty or whitespace-only text. */
export function estimateTokens(text: string): number {
  let count = 0;
  for (const match of text.matchAll(TOKEN_PATTERN)) {
    const piece = match[0];
    count += piece.length > 1 ? Math.max(1, Math.ceil(piece.length / 4)) : 1;
  }
  return count;
}
