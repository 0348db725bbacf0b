import { anisotropicEmbedding } from "./anisotropic-embedding.js";
import { lexicalEmbedding } from "./lexical-embedding.js";

/**
 * How the stand-in embeds: `lexical` vectors score unrelated texts near 0; `anisotropic` ones lean towards a
 * common direction so unrelated texts score about 0.4–0.6, as real embedding models do.
 */
export type StandInEmbeddingMode = "lexical" | "anisotropic";

/** The embedding modes, for validating flags and options. */
export const STAND_IN_EMBEDDING_MODES: readonly StandInEmbeddingMode[] = ["lexical", "anisotropic"];

/**
 * The mode a model embeds with: a model whose name contains `anisotropic` (e.g. `stand-in-anisotropic`) always
 * uses the anisotropic mode, so one stand-in can serve two embedders of different cosine scale; every other
 * model uses `defaultMode`.
 */
export function embeddingModeOf(modelName: string, defaultMode: StandInEmbeddingMode): StandInEmbeddingMode {
  return modelName.toLowerCase().includes("anisotropic") ? "anisotropic" : defaultMode;
}

/** Embeds `text` into a unit vector of length `dimension` with `mode`. */
export function embedWithMode(text: string, dimension: number, mode: StandInEmbeddingMode): number[] {
  return mode === "anisotropic" ? anisotropicEmbedding(text, dimension) : lexicalEmbedding(text, dimension);
}
