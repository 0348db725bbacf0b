import { normalizeForIndex } from "../clean/index.js";
import { isZhikuError, ZhikuError } from "../errors.js";
import type { SearchResult } from "../record-schemas.js";
import type { DocumentRepository } from "../store/document-repository.js";
import type { WorkspaceRepository } from "../store/workspace-repository.js";
import type { Embedder } from "../types.js";
import type { ChunkSearch } from "./chunk-search.js";
import type { Reranker } from "./http-reranker.js";
import { rerankCandidates, rerankResults } from "./rerank-results.js";
import type { SearchMode, SearchOptions, SearchResponse } from "./search-types.js";

/** Finds the passages of a workspace for a query (`zhiku search`, the search API, chat retrieval). */
export interface Retriever {
  /** Searches a workspace; hybrid (vector + full text, fused by reciprocal rank) unless another mode is asked for. */
  search(options: SearchOptions): Promise<SearchResponse>;
}

/** What {@link createRetriever} needs. */
export interface RetrieverSetup {
  workspaces: WorkspaceRepository;
  /** Names the documents of the hits. */
  documents: DocumentRepository;
  chunks: ChunkSearch;
  /** Embeds the query; must be the model the workspace's vectors came from. */
  embedder: Embedder;
  /**
   * Reorders the top candidates of every search (unless it asks for `rerank: false`); none by default. When it fails
   * or is too slow, the search keeps the fused order and its `rerank` summary says why.
   */
  reranker?: Reranker;
}

/**
 * The {@link Retriever} of one knowledge base. Without a usable query vector (Ollama down, a workspace of another
 * model) a hybrid search falls back to full text and says why; a vector search fails. With a reranker, a search
 * fetches {@link rerankCandidates} candidates, lets the reranker order them and keeps the best `limit`.
 */
export function createRetriever(setup: RetrieverSetup): Retriever {
  const { workspaces, documents, chunks, embedder, reranker } = setup;
  return {
    async search(options) {
      const workspace = workspaces.requireRow(options.workspace);
      const query = options.query.trim();
      if (query.length === 0) throw new ZhikuError("invalid:input", "query: must not be empty");
      const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 10)), 100);
      const requested = options.mode ?? "hybrid";
      const reranking = reranker !== undefined && options.rerank !== false;
      if (!workspace.chunk_table) {
        return {
          results: [],
          mode: requested,
          ...(reranking ? { rerank: { applied: false, model: reranker.model } } : {}),
        };
      }

      let mode: SearchMode = requested;
      let fallbackReason: string | undefined;
      let vector: number[] | undefined;
      if (requested !== "fulltext") {
        try {
          if (workspace.embed_model !== embedder.model) {
            throw new ZhikuError(
              "conflict:embedding_model",
              `Workspace "${workspace.slug}" holds vectors of ${workspace.embed_model} but the embedder is ${embedder.model}: run zhiku reembed --workspace ${workspace.slug}, or set EMBED_MODEL=${workspace.embed_model}`,
            );
          }
          // One quick retry at most: a search should fall back to full text at once when Ollama is down,
          // not wait out the backoff that ingestion uses.
          [vector] = await embedder.embed([normalizeForIndex(query)], { retries: 1 });
        } catch (error) {
          if (requested === "vector" || !isZhikuError(error)) throw error;
          mode = "fulltext";
          fallbackReason = error.message;
        }
      }
      const hits = await chunks.search(workspace.chunk_table, {
        mode,
        query: normalizeForIndex(query),
        vector,
        limit: reranking ? rerankCandidates(limit) : limit,
        documentIds: options.documentIds,
      });
      const names = documents.names(workspace.id, [...new Set(hits.map((hit) => hit.documentId))]);
      const results: SearchResult[] = [];
      for (const hit of hits) {
        const documentName = names.get(hit.documentId);
        // A chunk whose document row is gone (deleted mid-way by a crash) is not shown.
        if (documentName === undefined) continue;
        results.push({
          documentName,
          documentId: hit.documentId,
          chunkId: hit.chunkId,
          text: hit.text,
          score: hit.score,
          relevance: hit.relevance,
          fullTextScore: hit.fullTextScore,
          page: hit.page,
          headings: hit.headings,
          start: hit.start,
          end: hit.end,
        });
      }
      const fallback = fallbackReason ? { fallbackReason } : {};
      if (!reranking) return { results, mode, ...fallback };
      const outcome = await rerankResults({ query, results, reranker, limit });
      return {
        results: outcome.results,
        mode,
        ...fallback,
        rerank: {
          applied: outcome.reranked,
          model: reranker.model,
          ...(outcome.rerankError === undefined ? {} : { fallbackReason: outcome.rerankError }),
        },
      };
    },
  };
}
