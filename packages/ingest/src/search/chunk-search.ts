import { fullTextClauses } from "../clean/index.js";
import type { ChunkRecord } from "../record-schemas.js";
import { type ChunkStore, FULL_TEXT_COLUMN, type ScoredChunk } from "../store/chunk-store.js";
import { DEFAULT_FUSION, type FusionOptions, fuseRankings, validateFusionOptions } from "./fusion.js";
import type { SearchMode } from "./search-types.js";

/** A chunk found by a search, with its rank score and, when a query vector was given, its cosine similarity. */
export interface ChunkHit extends ChunkRecord {
  /** Higher is better: weighted RRF score (hybrid), cosine similarity (vector) or BM25 (fulltext). */
  score: number;
  /** Cosine similarity of the chunk to the query vector in [-1, 1]; null for full-text-only searches. */
  relevance: number | null;
  /** BM25 of the chunk for the query text; null when full text did not find it (or did not run). */
  fullTextScore: number | null;
}

/** Options for {@link ChunkSearch.search}. */
export interface ChunkSearchOptions {
  mode: SearchMode;
  /** Query text, for full text. */
  query: string;
  /** Query vector, required for `vector` and `hybrid`. */
  vector?: number[];
  limit: number;
  /** Only chunks of these documents. */
  documentIds?: string[];
  /** Fusion of a hybrid search, over the search's {@link ChunkSearchSetup.fusion}. */
  fusion?: Partial<FusionOptions>;
}

/** Searches the chunks of one table by vector, full text, or both fused. */
export interface ChunkSearch {
  /**
   * Finds chunks by vector, full text, or both: a hybrid search runs the two searches concurrently, `limit` hits
   * each, and fuses them by weighted reciprocal rank (see {@link FusionOptions}).
   */
  search(table: string, options: ChunkSearchOptions): Promise<ChunkHit[]>;
}

/** What {@link createChunkSearch} needs. */
export interface ChunkSearchSetup {
  /** Where the chunks are. */
  store: ChunkStore;
  /** Fusion of hybrid searches; defaults to {@link DEFAULT_FUSION} (k 60, equal weights). */
  fusion?: Partial<FusionOptions>;
}

function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let dot = 0;
  let normA = 0;
  let normB = 0;
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    const y = b[i]!;
    dot += x * y;
    normA += x * x;
    normB += y * y;
  }
  return normA === 0 || normB === 0 ? 0 : dot / Math.sqrt(normA * normB);
}

/**
 * The {@link ChunkSearch} over `setup.store`.
 * @throws ZhikuError `invalid:input` when `fusion` is out of range.
 */
export function createChunkSearch(setup: ChunkSearchSetup): ChunkSearch {
  const { store } = setup;
  const fusion = validateFusionOptions({ ...DEFAULT_FUSION, ...setup.fusion });
  return {
    async search(table, { mode, query, vector, limit, documentIds, fusion: searchFusion }) {
      // A query of punctuation alone has nothing to look up in the full text.
      const textClauses = fullTextClauses(query, FULL_TEXT_COLUMN);
      const side = { limit, documentIds };
      const searchFullText = () => store.fullTextSearch(table, textClauses, side);
      // Full-text hits carry BM25, vector hits a cosine similarity, fused hits the weighted RRF score.
      let scored: ScoredChunk[];
      const fullTextScores = new Map<string, number>();
      if (mode === "fulltext") {
        scored = await searchFullText();
        for (const hit of scored) fullTextScores.set(hit.chunkId, hit.score);
      } else {
        if (!vector) throw new Error(`A ${mode} search needs a query vector`);
        if (mode === "vector" || textClauses.length === 0) {
          scored = await store.vectorSearch(table, vector, side);
        } else {
          const weights = searchFusion ? validateFusionOptions({ ...fusion, ...searchFusion }) : fusion;
          const [textHits, vectorHits] = await Promise.all([
            searchFullText(),
            store.vectorSearch(table, vector, side),
          ]);
          const hits = new Map<string, ScoredChunk>();
          for (const hit of [...textHits, ...vectorHits]) hits.set(hit.chunkId, hit);
          for (const hit of textHits) fullTextScores.set(hit.chunkId, hit.score);
          // Full text first: on equal scores its hit goes first (LanceDB's reranker leaves ties in no set order).
          scored = fuseRankings(
            [
              { keys: textHits.map((hit) => hit.chunkId), weight: weights.fullTextWeight },
              { keys: vectorHits.map((hit) => hit.chunkId), weight: weights.vectorWeight },
            ],
            weights.k,
          )
            .slice(0, limit)
            .map((item) => ({ ...hits.get(item.key)!, score: item.score }));
        }
      }
      return scored.map(({ vector: chunkVector, ...hit }) => ({
        ...hit,
        relevance: vector && chunkVector ? cosine(vector, chunkVector) : null,
        fullTextScore: fullTextScores.get(hit.chunkId) ?? null,
      }));
    },
  };
}
