import { ZhikuError } from "../errors.js";

/** One reranked candidate: its position in the list given, and the reranker's score (higher is more relevant). */
export interface RerankScore {
  index: number;
  score: number;
}

/** Scores passages against a query with a cross-encoder (e.g. bge-reranker-v2-m3). */
export interface Reranker {
  /** The model's name, as sent to the server and shown to users. */
  readonly model: string;
  /** Scores `documents` for `query`, best first. Fails with a {@link ZhikuError} `unavailable:reranker`. */
  rerank(
    query: string,
    documents: readonly string[],
    options?: { signal?: AbortSignal },
  ): Promise<RerankScore[]>;
}

/** Options of {@link createHttpReranker}. */
export interface HttpRerankerOptions {
  /** The server's base URL (`RERANK_URL`), e.g. `http://reranker:8080`; `/v1/rerank` is appended. */
  url: string;
  /** The model (`RERANK_MODEL`), e.g. `bge-reranker-v2-m3`. */
  model: string;
  /** Longest wait for an answer before giving up (search then keeps the fused order). Default 3 000 ms, as `RERANK_TIMEOUT_MS`. */
  timeoutMs?: number;
  /** The fetch to use. Default the global one. */
  fetch?: typeof fetch;
}

interface RerankBody {
  results?: { index?: unknown; relevance_score?: unknown; score?: unknown }[];
}

/**
 * A reranker behind the common `POST /v1/rerank` API (`{model, query, documents, top_n}` →
 * `{results:[{index, relevance_score}]}`), which llama.cpp's server with `--reranking`, vLLM, Xinference, TEI and
 * others serve. Ollama has none, so this never goes through Ollama.
 */
export function createHttpReranker(options: HttpRerankerOptions): Reranker {
  const endpoint = `${options.url.replace(/\/+$/, "")}/v1/rerank`;
  const timeoutMs = options.timeoutMs ?? 3_000;
  const fetchImplementation = options.fetch ?? fetch;
  const unavailable = (message: string, cause?: unknown) =>
    new ZhikuError("unavailable:reranker", `Reranker at ${endpoint}: ${message}`, { cause });
  return {
    model: options.model,
    async rerank(query, documents, rerankOptions = {}) {
      if (documents.length === 0) return [];
      const signals = [
        AbortSignal.timeout(timeoutMs),
        ...(rerankOptions.signal ? [rerankOptions.signal] : []),
      ];
      let response: Response;
      try {
        response = await fetchImplementation(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ model: options.model, query, documents, top_n: documents.length }),
          signal: AbortSignal.any(signals),
        });
      } catch (error) {
        if (rerankOptions.signal?.aborted) throw error;
        const timedOut = error instanceof Error && error.name === "TimeoutError";
        throw unavailable(timedOut ? `no answer within ${timeoutMs} ms` : "not reachable", error);
      }
      if (!response.ok)
        throw unavailable(`answered ${response.status} ${await response.text().catch(() => "")}`.trim());
      const body = (await response.json().catch(() => undefined)) as RerankBody | undefined;
      const scores: RerankScore[] = [];
      for (const result of body?.results ?? []) {
        const index = result.index;
        const score = result.relevance_score ?? result.score;
        if (
          typeof index !== "number" ||
          typeof score !== "number" ||
          index < 0 ||
          index >= documents.length
        ) {
          throw unavailable("answered results without a valid index and relevance_score");
        }
        scores.push({ index, score });
      }
      if (scores.length === 0) throw unavailable("answered no results");
      return scores.sort((a, b) => b.score - a.score);
    },
  };
}
