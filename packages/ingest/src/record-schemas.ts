import { z } from "zod";

/**
 * The one declaration of a stored chunk as listed for a document (the chunk viewer, the chunks API). The type
 * {@link ChunkRecord} is derived from it; the server describes its API with the same schema.
 */
export const chunkRecordSchema = z.object({
  chunkId: z.string(),
  documentId: z.string(),
  index: z.number().describe("Position of the chunk in its document, from 0"),
  text: z.string(),
  start: z.number().describe("Offset of the chunk's first character in the document text"),
  end: z.number().describe("Offset one past the chunk's last character in the document text"),
  headings: z.array(z.string()).describe("Heading path of the section the chunk starts in, outermost first"),
  page: z
    .number()
    .nullable()
    .describe("1-based page the chunk starts on, for paged formats (PDF); else null"),
  tokens: z.number(),
});

/** A stored chunk as listed for a document; see {@link chunkRecordSchema}. */
export type ChunkRecord = z.infer<typeof chunkRecordSchema>;

/**
 * The one declaration of a search hit: the fields of `zhiku search --json`, the search API and (with the number
 * an answer cites it by) a chat source. The type {@link SearchResult} is derived from it.
 */
export const searchResultSchema = z.object({
  documentName: z.string(),
  documentId: z.string(),
  chunkId: z.string(),
  text: z.string(),
  score: z
    .number()
    .describe(
      "Higher is better; for hybrid search the fused rank (RRF) score, for vector 1 - distance, for fulltext BM25",
    ),
  relevance: z
    .number()
    .nullable()
    .describe(
      "Cosine similarity of the passage to the query's embedding in [-1, 1], comparable across queries (the relevance " +
        "cut-off uses it); null when the search ran on full text only",
    ),
  fullTextScore: z
    .number()
    .nullable()
    .optional()
    .describe(
      "BM25 of the passage for the query when full text found it, else null (refusal reads it: a strong full-text " +
        "match is never dropped); absent in chat sources",
    ),
  rerankScore: z
    .number()
    .optional()
    .describe(
      "The reranker's relevance score (0 to 1 for most rerank servers; higher is more relevant) when a reranker " +
        "(RERANK_URL) ordered the results; absent otherwise. Refusal prefers it to the cosine similarity: a passage " +
        "counts as relevant from 0.5",
    ),
  page: z.number().nullable(),
  headings: z.array(z.string()),
  start: z.number().describe("Offset of the passage's first character in the document text"),
  end: z.number().describe("Offset one past the passage's last character in the document text"),
});

/** One search hit, best first; see {@link searchResultSchema}. */
export type SearchResult = z.infer<typeof searchResultSchema>;

/**
 * The one declaration of what reranking did to a search (the search API, chat's `sources` event and answer, MCP,
 * the OpenAI-compatible endpoint): present when a reranker is configured and the search asked for it.
 */
export const rerankSummarySchema = z
  .object({
    applied: z
      .boolean()
      .describe("True when the results are in the reranker's order, each with its rerankScore"),
    model: z.string().describe("The reranker's model (RERANK_MODEL)"),
    fallbackReason: z
      .string()
      .optional()
      .describe(
        "Why the results are in the fused order although a reranker is configured: it failed, or gave no answer " +
          "within RERANK_TIMEOUT_MS",
      ),
  })
  .describe("Whether the reranker (RERANK_URL) ordered the results; absent without a reranker");

/** What reranking did to a search; see {@link rerankSummarySchema}. */
export type RerankSummary = z.infer<typeof rerankSummarySchema>;
