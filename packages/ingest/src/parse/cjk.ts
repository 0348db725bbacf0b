/** CJK ideographs, kana, hangul and full-width/CJK punctuation: scripts written without spaces between words. */
const cjkCharacter =
  /[\u2e80-\u2fff\u3000-\u303f\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]/;

/**
 * Whether a character belongs to a script written without spaces between words (Chinese, Japanese, Korean, their
 * full-width punctuation), so text joined across it needs no space. Used where text is put together from pieces:
 * PDF text runs, OCR words and lines.
 */
export function isCjk(character: string | undefined): boolean {
  return character !== undefined && cjkCharacter.test(character);
}
