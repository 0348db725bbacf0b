import type { SearchResult } from "@zhiku/ingest";
import type { ChatSource } from "../chat-source.js";

/**
 * Numbers the passages retrieved for a question, in rank order from 1: the number is what the prompt shows beside
 * each passage and what the answer cites as `[n]`, so the client can link every citation to its source.
 */
export function toSources(results: SearchResult[]): ChatSource[] {
  return results.map((result, position) => ({
    index: position + 1,
    documentId: result.documentId,
    documentName: result.documentName,
    chunkId: result.chunkId,
    text: result.text,
    page: result.page,
    score: result.score,
    relevance: result.relevance,
    ...(result.rerankScore === undefined ? {} : { rerankScore: result.rerankScore }),
    headings: result.headings,
    start: result.start,
    end: result.end,
  }));
}
