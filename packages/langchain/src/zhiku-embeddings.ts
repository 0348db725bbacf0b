import { Embeddings, type EmbeddingsParams } from "@langchain/core/embeddings";
import type { Embedder } from "@zhiku/ingest";
import { zhikuError } from "./zhiku-retriever.js";

/** Options of {@link ZhikuEmbeddings}. */
export interface ZhikuEmbeddingsInput extends EmbeddingsParams {
  /** Where Zhiku runs, e.g. `http://localhost:3000`. */
  baseUrl: string;
  /** An API key (`zk_...`). */
  apiKey: string;
  /** The workspace whose embedding model to use (its slug). */
  workspace: string;
  /** Texts per request. Default 64. */
  batchSize?: number;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
}

/**
 * LangChain embeddings made by a Zhiku workspace's own embedding model, through Zhiku's OpenAI-compatible
 * `POST /v1/embeddings`: vectors comparable with the ones Zhiku stored for that workspace.
 */
export class ZhikuEmbeddings extends Embeddings {
  readonly baseUrl: string;
  readonly workspace: string;
  readonly batchSize: number;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;

  constructor(input: ZhikuEmbeddingsInput) {
    super(input);
    this.baseUrl = input.baseUrl.replace(/\/+$/, "");
    this.workspace = input.workspace;
    this.batchSize = input.batchSize ?? 64;
    this.#apiKey = input.apiKey;
    this.#fetch = input.fetch ?? fetch;
  }

  async embedDocuments(documents: string[]): Promise<number[][]> {
    const vectors: number[][] = [];
    for (let offset = 0; offset < documents.length; offset += this.batchSize) {
      const batch = documents.slice(offset, offset + this.batchSize);
      vectors.push(...(await this.caller.call(() => this.#embed(batch))));
    }
    return vectors;
  }

  async embedQuery(query: string): Promise<number[]> {
    const [vector] = await this.embedDocuments([query]);
    if (!vector) throw new Error("Zhiku returned no embedding for the query");
    return vector;
  }

  async #embed(input: string[]): Promise<number[][]> {
    const url = `${this.baseUrl}/v1/embeddings`;
    const response = await this.#fetch(url, {
      method: "POST",
      headers: { authorization: `Bearer ${this.#apiKey}`, "content-type": "application/json" },
      body: JSON.stringify({ model: this.workspace, input, encoding_format: "float" }),
    });
    if (!response.ok) throw await zhikuError(response, url);
    const { data } = (await response.json()) as { data: { index: number; embedding: number[] }[] };
    return [...data].sort((a, b) => a.index - b.index).map((item) => item.embedding);
  }
}

/**
 * The other way round: any LangChain `Embeddings` (OllamaEmbeddings, a hosted model, …) as the embedder Zhiku
 * ingests and searches with. `model` is the name Zhiku records per workspace, so vectors of two models never mix.
 */
export function embedderFromLangChain(embeddings: Embeddings, options: { model: string }): Embedder {
  let dimension: Promise<number> | undefined;
  return {
    model: options.model,
    dimension() {
      dimension ??= embeddings.embedQuery("dimension probe").then((vector) => vector.length);
      return dimension;
    },
    async embed(texts, embedOptions) {
      embedOptions?.signal?.throwIfAborted();
      const vectors = await embeddings.embedDocuments(texts);
      if (vectors.length !== texts.length) {
        throw new Error(`${options.model}: ${vectors.length} vectors for ${texts.length} texts`);
      }
      embedOptions?.onProgress?.(texts.length);
      return vectors;
    },
  };
}
