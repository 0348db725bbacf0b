/** What the stand-in knows about an installed model. */
export interface StandInModel {
  /** Full name with tag, e.g. `bge-m3:latest`. */
  name: string;
  /** Architecture family used in `model_info` keys, e.g. `bert`, `qwen2`. */
  family: string;
  /** True for embedding-only models. */
  embeddingOnly: boolean;
  /** Context length reported by `/api/show`. */
  contextLength: number;
  /** Parameter size label, e.g. `567M`. */
  parameterSize: string;
  /** Fake but stable sha256 digest. */
  digest: string;
  /** Size in bytes, as listed by `/api/tags`. */
  size: number;
}

/** `bge-m3` → `bge-m3:latest`; names with a tag stay as they are. */
export function withTag(name: string): string {
  return name.includes(":") ? name : `${name}:latest`;
}

/** A stable 64-hex-digit digest derived from `text` (not a real sha256; only stability matters). */
export function fakeDigest(text: string): string {
  let digest = "";
  let value = 0x811c9dc5;
  for (let round = 0; digest.length < 64; round++) {
    for (let index = 0; index < text.length; index++) {
      value ^= text.charCodeAt(index) + round;
      value = Math.imul(value, 0x01000193) >>> 0;
    }
    digest += value.toString(16).padStart(8, "0");
  }
  return digest.slice(0, 64);
}

/** Describes a model by its name: embedding models look like BERT, chat models like Qwen2 or Llama. */
export function describeModel(name: string): StandInModel {
  const fullName = withTag(name);
  const base = fullName.toLowerCase();
  const embeddingOnly = /bge|embed|minilm|e5|gte|arctic/.test(base);
  const family = embeddingOnly ? "bert" : base.startsWith("qwen") ? "qwen2" : "llama";
  return {
    name: fullName,
    family,
    embeddingOnly,
    contextLength: embeddingOnly ? 8192 : 32768,
    parameterSize: embeddingOnly ? "566.70M" : "7.6B",
    digest: fakeDigest(fullName),
    size: embeddingOnly ? 1_157_672_605 : 4_683_087_332,
  };
}
