/**
 * Deterministic lexical embeddings for the stand-in Ollama: features are hashed into signed buckets and the
 * vector is L2-normalised, so texts that share terms have a high cosine similarity and vector search in tests
 * behaves like a (crude) real one. CJK text contributes character unigrams and bigrams; other text contributes
 * lower-cased words.
 */

/** 32-bit FNV-1a hash of a string's UTF-16 code units. */
function hash(text: string): number {
  let value = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    value ^= text.charCodeAt(index);
    value = Math.imul(value, 0x01000193);
  }
  return value >>> 0;
}

const CJK_PATTERN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const FEATURE_PATTERN =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]+|[\p{L}\p{N}]+(?:[._'-][\p{L}\p{N}]+)*/gu;

/** The lexical features of `text`: CJK unigrams and bigrams, lower-cased words. */
export function lexicalFeatures(text: string): string[] {
  const features: string[] = [];
  for (const match of text.toLowerCase().matchAll(FEATURE_PATTERN)) {
    const run = match[0];
    if (CJK_PATTERN.test(run[0] ?? "")) {
      const characters = Array.from(run);
      for (let index = 0; index < characters.length; index++) {
        features.push(characters[index]!);
        if (index + 1 < characters.length) features.push(characters[index]! + characters[index + 1]!);
      }
    } else {
      features.push(run);
    }
  }
  return features;
}

/**
 * Embeds `text` into a unit vector of length `dimension`. The same text always gives the same vector; a text
 * without features (empty, only punctuation) gives a fixed unit vector so cosine distances stay defined.
 */
export function lexicalEmbedding(text: string, dimension: number): number[] {
  const vector = new Array<number>(dimension).fill(0);
  for (const feature of lexicalFeatures(text)) {
    const value = hash(feature);
    const sign = hash(`~${feature}`) & 1 ? 1 : -1;
    vector[value % dimension]! += sign;
  }
  let norm = 0;
  for (const component of vector) norm += component * component;
  if (norm === 0) {
    vector[0] = 1;
    return vector;
  }
  const scale = 1 / Math.sqrt(norm);
  return vector.map((component) => component * scale);
}
