import { lexicalFeatures } from "./lexical-embedding.js";

/** One ranked document in a `/v1/rerank` answer. */
export interface StandInRerankResult {
  /** Position of the document in the request's `documents`. */
  index: number;
  /** Relevance between 0 and 1; higher is more relevant. */
  relevance_score: number;
  /** The document, when the request asked for `return_documents`. */
  document?: { text: string };
}

/** A parsed `/v1/rerank` request. */
export interface StandInRerankRequest {
  query: string;
  documents: string[];
  topN: number;
  returnDocuments: boolean;
}

/** Thrown for a request body that does not have the rerank shape; the message names the field. */
export class RerankRequestError extends Error {}

/**
 * Reads a rerank request in the common shape (llama.cpp, vLLM, Xinference, Jina): `query` a string,
 * `documents` an array of strings or of `{ text }` objects, optional `top_n` (a positive integer; default all)
 * and `return_documents` (boolean).
 */
export function parseRerankRequest(body: unknown): StandInRerankRequest {
  const fields = typeof body === "object" && body !== null ? (body as Record<string, unknown>) : {};
  if (typeof fields.query !== "string") throw new RerankRequestError("query must be a string");
  if (!Array.isArray(fields.documents)) throw new RerankRequestError("documents must be an array");
  const documents = fields.documents.map((document, index) => {
    if (typeof document === "string") return document;
    const text =
      typeof document === "object" && document !== null ? (document as { text?: unknown }).text : null;
    if (typeof text === "string") return text;
    throw new RerankRequestError(`documents[${index}] must be a string or an object with a string "text"`);
  });
  const topN = fields.top_n ?? documents.length;
  if (typeof topN !== "number" || !Number.isInteger(topN) || topN < 1) {
    throw new RerankRequestError("top_n must be a positive integer");
  }
  if (fields.return_documents !== undefined && typeof fields.return_documents !== "boolean") {
    throw new RerankRequestError("return_documents must be a boolean");
  }
  return { query: fields.query, documents, topN, returnDocuments: fields.return_documents === true };
}

/**
 * How relevant `document` is to `query`, deterministic and between 0 and 1: mostly the share of the query's
 * distinct lexical features (words, CJK characters and bigrams) found in the document, plus a little of their
 * overlap relative to both, so a shorter document that covers the query as well ranks first.
 */
export function relevanceScore(query: string, document: string): number {
  const queryFeatures = new Set(lexicalFeatures(query));
  const documentFeatures = new Set(lexicalFeatures(document));
  if (queryFeatures.size === 0 || documentFeatures.size === 0) return 0;
  let shared = 0;
  for (const feature of queryFeatures) if (documentFeatures.has(feature)) shared++;
  const coverage = shared / queryFeatures.size;
  const jaccard = shared / (queryFeatures.size + documentFeatures.size - shared);
  return 0.8 * coverage + 0.2 * jaccard;
}

/** Ranks the request's documents by {@link relevanceScore}, best first (ties by position), keeping `topN`. */
export function rerank(request: StandInRerankRequest): StandInRerankResult[] {
  return request.documents
    .map((document, index) => ({ index, score: relevanceScore(request.query, document), document }))
    .sort((left, right) => right.score - left.score || left.index - right.index)
    .slice(0, request.topN)
    .map(({ index, score, document }) => ({
      index,
      relevance_score: score,
      ...(request.returnDocuments ? { document: { text: document } } : {}),
    }));
}
