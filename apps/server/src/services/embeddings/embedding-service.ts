import { countTokens, createOllamaEmbedder, type Embedder, type WorkspaceRecord } from "@zhiku/ingest";

/** Largest number of texts one request may embed (OpenAI's own limit). */
export const MAX_EMBEDDING_INPUTS = 2_048;

/** Vectors for texts with a workspace's embedding model, and the tokens they cost (estimated). */
export interface EmbeddingResult {
  model: string;
  vectors: number[][];
  promptTokens: number;
}

/** Embeds texts with the embedding model a workspace was indexed with, through Ollama. */
export interface EmbeddingService {
  embed(workspace: WorkspaceRecord, texts: string[], signal?: AbortSignal): Promise<EmbeddingResult>;
}

/**
 * One Ollama embedder per model, made on first use: a workspace keeps the model it was indexed with even after
 * `EMBED_MODEL` changes (until it is re-embedded), and its vectors must stay comparable with the ones stored; a
 * workspace without documents gets `EMBED_MODEL`'s.
 */
export function createEmbeddingService(options: {
  ollamaHost: string;
  /** The model a workspace without documents will be indexed with (`EMBED_MODEL`). */
  defaultModel: string;
}): EmbeddingService {
  const embedders = new Map<string, Embedder>();
  const embedderFor = (model: string): Embedder => {
    let embedder = embedders.get(model);
    if (!embedder) {
      embedder = createOllamaEmbedder({ host: options.ollamaHost, model });
      embedders.set(model, embedder);
    }
    return embedder;
  };
  return {
    async embed(workspace, texts, signal) {
      const model = workspace.embedModel ?? options.defaultModel;
      const vectors = await embedderFor(model).embed(texts, signal ? { signal } : {});
      return { model, vectors, promptTokens: texts.reduce((sum, text) => sum + countTokens(text), 0) };
    },
  };
}

/** A vector as OpenAI's `encoding_format: "base64"` sends it: little-endian float32s, base64-encoded. */
export function vectorToBase64(vector: readonly number[]): string {
  return Buffer.from(Float32Array.from(vector).buffer).toString("base64");
}
