import * as lancedb from "@lancedb/lancedb";

/** Tuning of the vector index, chosen from `bench/search` measurements. */
export interface VectorIndexTuning {
  /** Rows at which an ANN index is built; below it brute force is fast enough and exact. */
  threshold: number;
  /** The index is trained again once the table has grown this many times past the rows it was trained on. */
  retrainGrowth: number;
  /** IVF partitions probed per query. */
  nprobes: number;
  /** Candidates re-ranked with full vectors, as a multiple of the limit. */
  refineFactor: number;
}

/**
 * Defaults from `bench/search` on a 2-core machine (bench/README.md): brute force passes ~20 ms p95 at about
 * 3,000 rows of 1024 dimensions. From there the index is IVF_RQ (RaBitQ, 1 bit a dimension) with the full vectors
 * re-ranking 5× the limit: at 10k, 100k and 1M rows it found 0.998–1.0 of brute force's top 10, vector p95 3–5 ms,
 * hybrid p95 17–20 ms at 1M; 1M rows built in under 2 minutes and served in ~400 MB. IVF_HNSW_SQ was ~2 ms faster
 * but recalled 0.985 and holds 1 KB a vector (1.1 GB at 1M); IVF_PQ recalled 0.92 at best at 1M and built in 456 s.
 */
export const DEFAULT_VECTOR_INDEX_TUNING: VectorIndexTuning = {
  threshold: 3_000,
  retrainGrowth: 4,
  nprobes: 20,
  refineFactor: 5,
};

/**
 * The vector index for a table of `rows` rows (see {@link DEFAULT_VECTOR_INDEX_TUNING}): √rows partitions, trained
 * on 64 vectors a partition for 10 k-means rounds — the default 256 a partition is a 1 GB sample at 1M rows, for no
 * better recall once the full vectors re-rank.
 */
export function vectorIndexConfig(rows: number): lancedb.Index {
  return lancedb.Index.ivfRq({
    distanceType: "cosine",
    numPartitions: Math.max(1, Math.round(Math.sqrt(rows))),
    numBits: 1,
    maxIterations: 10,
    sampleRate: 64,
  });
}

/** The vector index is named after the rows it was trained on, so the store knows when to train it again. */
export function vectorIndexName(rows: number): string {
  return `vector_idx_trained_${rows}`;
}

/** Rows an index was trained on, from its name; indexes named otherwise (older versions) count as just built. */
function trainedRows(indexName: string, tuning: VectorIndexTuning): number {
  const match = /^vector_idx_trained_(\d+)$/.exec(indexName);
  return match ? Number(match[1]) : tuning.threshold;
}

/**
 * Whether an index trained on `trained` rows should be trained again now the table has `rows`: its partitions grow
 * with the table, and an index of another type (IVF_HNSW_SQ, IVF_PQ from earlier versions) is replaced.
 */
export function shouldRetrain(
  index: { name: string; indexType: string },
  rows: number,
  tuning: VectorIndexTuning,
): boolean {
  if (!/^IvfRq$/i.test(index.indexType)) return true;
  return rows >= trainedRows(index.name, tuning) * tuning.retrainGrowth;
}
