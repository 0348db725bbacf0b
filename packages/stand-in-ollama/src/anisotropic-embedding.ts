import { lexicalEmbedding } from "./lexical-embedding.js";

/**
 * Anisotropic embeddings for the stand-in Ollama: the lexical vector, made orthogonal to one common direction
 * that every text shares, plus that direction with a weight between √0.4 and √0.6 chosen by the text's hash.
 * Real embedding models behave like this (their vectors fill a narrow cone), so texts with nothing in common
 * score a cosine of about 0.4–0.6 instead of the lexical mode's ~0, while texts that share terms still score
 * higher. Use it to test that thresholds do not depend on one model's cosine scale.
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

const commonDirections = new Map<number, number[]>();

/** The unit vector all anisotropic embeddings of `dimension` lean towards: ±1/√dimension per component. */
export function commonDirection(dimension: number): number[] {
  let direction = commonDirections.get(dimension);
  if (!direction) {
    const component = 1 / Math.sqrt(dimension);
    direction = Array.from({ length: dimension }, (_, index) =>
      hash(`common:${index}`) & 1 ? component : -component,
    );
    commonDirections.set(dimension, direction);
  }
  return direction;
}

/** The share of the common direction in the squared norm of `text`'s vector: 0.4 to 0.6, stable per text. */
export function commonShare(text: string): number {
  return 0.4 + 0.2 * (hash(`share:${text}`) / 0xffffffff);
}

/**
 * Embeds `text` into a unit vector of length `dimension` (at least 2) whose cosine with any other text's vector
 * is `√(s₁s₂) + √((1-s₁)(1-s₂))·c`, where `s` is each text's {@link commonShare} and `c` the cosine of their
 * lexical parts: about 0.4–0.6 for unrelated texts, approaching 1 as they share more terms.
 */
export function anisotropicEmbedding(text: string, dimension: number): number[] {
  const common = commonDirection(dimension);
  const lexical = lexicalEmbedding(text, dimension);
  let along = 0;
  for (let index = 0; index < dimension; index++) along += lexical[index]! * common[index]!;
  const rest = lexical.map((component, index) => component - along * common[index]!);
  let norm = Math.sqrt(rest.reduce((sum, component) => sum + component * component, 0));
  if (norm < 1e-9) {
    // The lexical vector lay along the common direction; any fixed orthogonal unit vector will do.
    rest.fill(0);
    rest[0] = common[1]!;
    rest[1] = -common[0]!;
    norm = Math.sqrt(rest[0] * rest[0] + rest[1] * rest[1]);
  }
  const share = commonShare(text);
  const commonWeight = Math.sqrt(share);
  const restWeight = Math.sqrt(1 - share) / norm;
  return common.map((component, index) => commonWeight * component + restWeight * rest[index]!);
}
