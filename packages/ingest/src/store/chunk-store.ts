import { createRequire } from "node:module";
import * as lancedb from "@lancedb/lancedb";
import type * as Arrow from "apache-arrow";
import { fullTextQuery, indexWordsOfEach } from "../clean/index.js";
import type { SearchMode } from "../knowledge-base.js";
import { DEFAULT_FUSION, type FusionOptions, fuseRankings, validateFusionOptions } from "./fusion.js";

/**
 * apache-arrow as LanceDB loads it (the CommonJS build). LanceDB recognises tables by `instanceof` and rebuilds
 * others, which fails on the ESM build's classes (two copies of one package); so rows are built with these.
 */
const arrow = createRequire(import.meta.url)("apache-arrow") as typeof Arrow;

/** A chunk as written to LanceDB: display text, index text, position and vector. */
export interface StoredChunk {
  chunkId: string;
  documentId: string;
  index: number;
  /** Text as it stands in the document, for display and citations. */
  text: string;
  /** Normalised text without boilerplate, with its heading path: what the full-text index and embeddings see. */
  indexText: string;
  start: number;
  end: number;
  headings: string[];
  page: number | null;
  tokens: number;
  vector: number[] | Float32Array;
}

/** A chunk found by a search, with its rank score and, when a query vector was given, its cosine similarity. */
export interface ChunkHit extends Omit<StoredChunk, "vector" | "indexText"> {
  /** Higher is better: weighted RRF score (hybrid), cosine similarity (vector) or BM25 (fulltext). */
  score: number;
  /** Cosine similarity of the chunk to the query vector in [-1, 1]; null for full-text-only searches. */
  relevance: number | null;
}

/** Options for {@link ChunkStore.search}. */
export interface ChunkSearchOptions {
  mode: SearchMode;
  /** Query text, for full text. */
  query: string;
  /** Query vector, required for `vector` and `hybrid`. */
  vector?: number[];
  limit: number;
  /** Only chunks of these documents. */
  documentIds?: string[];
  /** Fusion of a hybrid search, over the store's {@link ChunkStoreOptions.fusion}. */
  fusion?: Partial<FusionOptions>;
}

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

/** What {@link ChunkStore.maintain} did. */
export interface MaintenanceReport {
  /** Rows in the table, when it was looked at. */
  rows?: number;
  optimized: boolean;
  /** Whether a vector index was built (first, or trained again on a table that outgrew it). */
  vectorIndexCreated: boolean;
}

/** Chunks of all workspaces in LanceDB, one table per workspace and embedding model. */
export interface ChunkStore {
  /** Creates the table with its full-text index if missing. */
  ensureTable(table: string, dimension: number): Promise<void>;
  /** Whether the table exists. */
  hasTable(table: string): Promise<boolean>;
  /** Replaces every chunk of a document with `chunks` in one commit: readers see the old set or the new one. */
  replaceDocument(table: string, documentId: string, chunks: StoredChunk[]): Promise<void>;
  /** Appends chunks (bulk loads such as re-embedding; ingestion uses {@link ChunkStore.replaceDocument}). */
  appendChunks(table: string, chunks: StoredChunk[]): Promise<void>;
  /** Removes a document's chunks (and so its full-text entries). */
  deleteDocument(table: string, documentId: string): Promise<void>;
  /** A document's chunks in order, without vectors. */
  listChunks(table: string, documentId: string): Promise<Omit<StoredChunk, "vector">[]>;
  /** Every chunk of the table in pages, for re-embedding. */
  scan(table: string, onPage: (chunks: Omit<StoredChunk, "vector">[]) => Promise<void>): Promise<void>;
  /**
   * Finds chunks by vector, full text, or both: a hybrid search runs the two searches concurrently, `limit` hits
   * each, and fuses them by weighted reciprocal rank (see {@link FusionOptions}).
   */
  search(table: string, options: ChunkSearchOptions): Promise<ChunkHit[]>;
  /**
   * Folds new rows into the indexes (when enough have piled up, or always with `force`), removes old table
   * versions, builds the ANN index once the table is big enough, and trains it again as the table outgrows it.
   */
  maintain(table: string, options?: { force?: boolean }): Promise<MaintenanceReport>;
  countRows(table: string): Promise<number>;
  dropTable(table: string): Promise<void>;
  close(): void;
}

/**
 * The full-text index is over `index_words`: the index text cut into words by {@link indexWordsOfEach} (jieba for
 * Chinese, with the character pairs of Han runs), so the whitespace tokenizer is enough. Against 2–3-character n-grams it found the right Chinese
 * document first 97.8% of the time instead of 84.4%, built 8× faster and answered 3× faster
 * (bench/results/tokenizer.json).
 */
export const FULL_TEXT_INDEX_OPTIONS = {
  baseTokenizer: "whitespace",
  // Stemming and stop words would bend or drop real matches in mixed Chinese and English technical text.
  stem: false,
  removeStopWords: false,
  lowercase: true,
  asciiFolding: true,
  withPosition: false,
} as const;

const LIST_COLUMNS = [
  "chunk_id",
  "document_id",
  "chunk_index",
  "text",
  "index_text",
  "start",
  "end",
  "headings",
  "page",
  "tokens",
];

/**
 * Text columns are stored without compression: Lance's default string compression made each write cost about twice
 * the CPU (bench/ingest), for text that is a small part of a row next to its 4 KB vector.
 */
const uncompressed = new Map([["lance-encoding:compression", "none"]]);

function chunkSchema(dimension: number): Arrow.Schema {
  const text = (name: string) => new arrow.Field(name, new arrow.Utf8(), false, uncompressed);
  return new arrow.Schema([
    new arrow.Field("chunk_id", new arrow.Utf8(), false),
    new arrow.Field("document_id", new arrow.Utf8(), false),
    new arrow.Field("chunk_index", new arrow.Int32(), false),
    text("text"),
    text("index_text"),
    text("index_words"),
    new arrow.Field("start", new arrow.Int32(), false),
    new arrow.Field("end", new arrow.Int32(), false),
    new arrow.Field("headings", new arrow.List(new arrow.Field("item", new arrow.Utf8(), true)), false),
    new arrow.Field("page", new arrow.Int32(), true),
    new arrow.Field("tokens", new arrow.Int32(), false),
    new arrow.Field(
      "vector",
      new arrow.FixedSizeList(dimension, new arrow.Field("item", new arrow.Float32(), true)),
      false,
    ),
  ]);
}

function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

function documentFilter(documentIds: readonly string[]): string {
  return `document_id IN (${documentIds.map(quote).join(", ")})`;
}

type Row = Record<string, unknown>;

/**
 * Chunks as one Arrow record batch in the table's schema, built column by column: the vectors are copied into one
 * Float32Array instead of going through LanceDB's row-by-row conversion, which cost more than the write itself.
 */
function toArrowTable(chunks: StoredChunk[]): Arrow.Table {
  const dimension = chunks[0]!.vector.length;
  const schema = chunkSchema(dimension);
  const vectors = new Float32Array(chunks.length * dimension);
  chunks.forEach((chunk, position) => {
    if (chunk.vector.length !== dimension) {
      throw new Error(
        `Chunk ${chunk.chunkId} has a ${chunk.vector.length}-dimension vector, not ${dimension}`,
      );
    }
    vectors.set(chunk.vector, position * dimension);
  });
  const utf8 = (values: string[]): Arrow.Data => arrow.vectorFromArray(values, new arrow.Utf8()).data[0]!;
  const strings = (pick: (chunk: StoredChunk) => string): Arrow.Data => utf8(chunks.map(pick));
  const integers = (pick: (chunk: StoredChunk) => number): Arrow.Data =>
    arrow.makeData({ type: new arrow.Int32(), length: chunks.length, data: Int32Array.from(chunks, pick) });
  const columns: Record<string, Arrow.Data> = {
    chunk_id: strings((chunk) => chunk.chunkId),
    document_id: strings((chunk) => chunk.documentId),
    chunk_index: integers((chunk) => chunk.index),
    text: strings((chunk) => chunk.text),
    index_text: strings((chunk) => chunk.indexText),
    index_words: utf8(indexWordsOfEach(chunks.map((chunk) => chunk.indexText))),
    start: integers((chunk) => chunk.start),
    end: integers((chunk) => chunk.end),
    headings: arrow.vectorFromArray(
      chunks.map((chunk) => chunk.headings),
      schema.fields.find((field) => field.name === "headings")!.type,
    ).data[0]!,
    page: arrow.vectorFromArray(
      chunks.map((chunk) => chunk.page),
      new arrow.Int32(),
    ).data[0]!,
    tokens: integers((chunk) => chunk.tokens),
    vector: arrow.makeData({
      type: schema.fields.find((field) => field.name === "vector")!
        .type as Arrow.FixedSizeList<Arrow.Float32>,
      length: chunks.length,
      child: arrow.makeData({ type: new arrow.Float32(), length: vectors.length, data: vectors }),
    }),
  };
  const children = schema.fields.map((field) => columns[field.name]!);
  const batch = arrow.makeData({ type: new arrow.Struct(schema.fields), length: chunks.length, children });
  return new arrow.Table(schema, [new arrow.RecordBatch(schema, batch)]);
}

function fromRow(row: Row): Omit<StoredChunk, "vector"> {
  const headings = row.headings as { toArray?: () => string[] } | string[] | null;
  return {
    chunkId: String(row.chunk_id),
    documentId: String(row.document_id),
    index: Number(row.chunk_index),
    text: String(row.text),
    indexText: String(row.index_text),
    start: Number(row.start),
    end: Number(row.end),
    headings: Array.isArray(headings) ? headings : (headings?.toArray?.() ?? []).map(String),
    page: row.page === null || row.page === undefined ? null : Number(row.page),
    tokens: Number(row.tokens),
  };
}

/** A vector cell as LanceDB returns it (an Arrow vector, or already an array) as plain numbers. */
function toNumbers(cell: unknown): ArrayLike<number> | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (typeof (cell as { toArray?: unknown }).toArray === "function") {
    return (cell as { toArray(): ArrayLike<number> }).toArray();
  }
  return cell as ArrayLike<number>;
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
 * The vector index for a table of `rows` rows (see {@link DEFAULT_VECTOR_INDEX_TUNING}): √rows partitions, trained
 * on 64 vectors a partition for 10 k-means rounds — the default 256 a partition is a 1 GB sample at 1M rows, for no
 * better recall once the full vectors re-rank.
 */
function vectorIndexConfig(rows: number): lancedb.Index {
  return lancedb.Index.ivfRq({
    distanceType: "cosine",
    numPartitions: Math.max(1, Math.round(Math.sqrt(rows))),
    numBits: 1,
    maxIterations: 10,
    sampleRate: 64,
  });
}

/** The vector index is named after the rows it was trained on, so the store knows when to train it again. */
function vectorIndexName(rows: number): string {
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
function shouldRetrain(
  index: { name: string; indexType: string },
  rows: number,
  tuning: VectorIndexTuning,
): boolean {
  if (!/^IvfRq$/i.test(index.indexType)) return true;
  return rows >= trainedRows(index.name, tuning) * tuning.retrainGrowth;
}

/** Options for {@link openChunkStore}. */
export interface ChunkStoreOptions {
  /** Folder of the LanceDB database. */
  directory: string;
  /** Vector index tuning; defaults to {@link DEFAULT_VECTOR_INDEX_TUNING}. */
  vectorIndex?: Partial<VectorIndexTuning>;
  /**
   * Unindexed rows at which {@link ChunkStore.maintain} folds them into the indexes without being forced.
   * LanceDB 0.31's full-text search over not-yet-indexed rows ranks badly and misses multi-word queries, so
   * they must not pile up; but each fold compacts the table (rewrites its small fragments), so folding after
   * every document would rewrite the table once per document. Default 5,000; callers force a fold at the end
   * of a batch (the CLI) or when the ingestion queue goes idle (the server).
   */
  optimizeAfterRows?: number;
  /** Table versions older than this are removed when the table is optimized. Default 15 minutes. */
  keepVersionsMs?: number;
  /** Fusion of hybrid searches; defaults to {@link DEFAULT_FUSION} (k 60, equal weights). */
  fusion?: Partial<FusionOptions>;
}

/**
 * Opens the LanceDB database under `directory`.
 * @throws ZhikuError `invalid:input` when `fusion` is out of range.
 */
export async function openChunkStore(options: ChunkStoreOptions): Promise<ChunkStore> {
  const tuning = { ...DEFAULT_VECTOR_INDEX_TUNING, ...options.vectorIndex };
  const fusion = validateFusionOptions({ ...DEFAULT_FUSION, ...options.fusion });
  const optimizeAfterRows = options.optimizeAfterRows ?? 5_000;
  const keepVersionsMs = options.keepVersionsMs ?? 15 * 60 * 1000;
  // The CLI, the server and its worker threads write the same tables: check for newer versions on every read.
  const connection = await lancedb.connect(options.directory, { readConsistencyInterval: 0 });
  const tables = new Map<string, Promise<lancedb.Table>>();
  const writeQueues = new Map<string, Promise<unknown>>();

  const open = (name: string): Promise<lancedb.Table> => {
    let table = tables.get(name);
    if (!table) {
      table = connection.openTable(name);
      tables.set(name, table);
      table.catch(() => tables.delete(name));
    }
    return table;
  };

  /** Writes to one table run one after another in this process; LanceDB resolves conflicts between processes. */
  const serialised = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const previous = writeQueues.get(name) ?? Promise.resolve();
    const next = previous.then(work, work);
    writeQueues.set(
      name,
      next.catch(() => undefined),
    );
    return next;
  };

  /** Rows this process wrote to each table since it last folded them into the indexes. */
  const writtenSinceOptimize = new Map<string, number>();
  const countWritten = (name: string, rows: number) =>
    writtenSinceOptimize.set(name, (writtenSinceOptimize.get(name) ?? 0) + rows);
  /** Tables known to exist; tables are only dropped through this store, which forgets them. */
  const knownTables = new Set<string>();
  const hasTable = async (name: string): Promise<boolean> => {
    if (knownTables.has(name)) return true;
    const exists = (await connection.tableNames()).includes(name);
    if (exists) knownTables.add(name);
    return exists;
  };

  /** Each table's vector index type as LanceDB names it (`IvfHnswSq`, `IvfRq`) or null, looked up again after a minute. */
  const vectorIndexTypes = new Map<string, { type: string | null; checkedAt: number }>();
  const vectorIndexType = async (name: string, table: lancedb.Table): Promise<string | null> => {
    const cached = vectorIndexTypes.get(name);
    if (cached && Date.now() - cached.checkedAt < 60_000) return cached.type;
    const index = (await table.listIndices()).find((candidate) => candidate.columns.includes("vector"));
    const type = index?.indexType ?? null;
    vectorIndexTypes.set(name, { type, checkedAt: Date.now() });
    return type;
  };

  const store: ChunkStore = {
    hasTable,

    async ensureTable(name, dimension) {
      if (await hasTable(name)) return;
      await serialised(name, async () => {
        const table = await connection.createEmptyTable(name, chunkSchema(dimension), { existOk: true });
        const indexes = await table.listIndices();
        if (!indexes.some((index) => index.columns.includes("index_words"))) {
          await table.createIndex("index_words", { config: lancedb.Index.fts(FULL_TEXT_INDEX_OPTIONS) });
        }
        tables.set(name, Promise.resolve(table));
      });
    },

    async replaceDocument(name, documentId, chunks) {
      // Rows (and their full-text words) are built before taking the table's write turn, not while holding it.
      const rows = chunks.length > 0 ? toArrowTable(chunks) : undefined;
      await serialised(name, async () => {
        const table = await open(name);
        if (!rows) {
          await table.delete(`document_id = ${quote(documentId)}`);
          return;
        }
        // One merge-insert commit adds the new version's chunks and deletes the old ones of this document.
        await table
          .mergeInsert("chunk_id")
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .whenNotMatchedBySourceDelete({ where: `document_id = ${quote(documentId)}` })
          .execute(rows);
        countWritten(name, chunks.length);
      });
    },

    async appendChunks(name, chunks) {
      if (chunks.length === 0) return;
      const rows = toArrowTable(chunks);
      await serialised(name, async () => (await open(name)).add(rows));
      countWritten(name, chunks.length);
    },

    async deleteDocument(name, documentId) {
      if (!(await hasTable(name))) return;
      await serialised(name, async () => (await open(name)).delete(`document_id = ${quote(documentId)}`));
    },

    async listChunks(name, documentId) {
      if (!(await hasTable(name))) return [];
      const table = await open(name);
      const rows = await table
        .query()
        .where(`document_id = ${quote(documentId)}`)
        .select(LIST_COLUMNS)
        .toArray();
      return rows.map(fromRow).sort((a, b) => a.index - b.index);
    },

    async scan(name, onPage) {
      const table = await open(name);
      // One streamed query reads one table version, batch by batch, without holding the table in memory.
      for await (const batch of table.query().select(LIST_COLUMNS)) {
        const rows = batch.toArray() as Row[];
        if (rows.length > 0) await onPage(rows.map(fromRow));
      }
    },

    async search(name, { mode, query, vector, limit, documentIds, fusion: searchFusion }) {
      const table = await open(name);
      const filter = documentIds && documentIds.length > 0 ? documentFilter(documentIds) : undefined;
      const columns = [...LIST_COLUMNS.filter((column) => column !== "index_text"), "vector"];
      const textQuery = fullTextQuery(query, "index_words");
      const searchFullText = async (): Promise<Row[]> => {
        // A query of punctuation alone has no words to look up.
        if (!textQuery) return [];
        let builder = table.query().fullTextSearch(textQuery);
        if (filter) builder = builder.where(filter);
        return builder
          .select([...columns, "_score"])
          .limit(limit)
          .toArray();
      };
      const searchVector = async (queryVector: number[]): Promise<Row[]> => {
        let builder = table.query().nearestTo(queryVector).distanceType("cosine").nprobes(tuning.nprobes);
        // Re-ranking with full vectors is what gives quantised IVF indexes (IvfRq, IvfPq) their recall; HNSW_SQ is
        // accurate without it, and the extra reads cost time.
        if (/^Ivf(Rq|Pq)$/i.test((await vectorIndexType(name, table)) ?? ""))
          builder = builder.refineFactor(tuning.refineFactor);
        if (filter) builder = builder.where(filter);
        return builder
          .select([...columns, "_distance"])
          .limit(limit)
          .toArray();
      };

      // Full-text hits carry BM25, vector hits a cosine distance, fused hits the weighted RRF score.
      let scored: { row: Row; score: number }[];
      if (mode === "fulltext") {
        scored = (await searchFullText()).map((row) => ({ row, score: Number(row._score) }));
      } else {
        if (!vector) throw new Error(`A ${mode} search needs a query vector`);
        if (mode === "vector" || !textQuery) {
          scored = (await searchVector(vector)).map((row) => ({ row, score: 1 - Number(row._distance) }));
        } else {
          const weights = searchFusion ? validateFusionOptions({ ...fusion, ...searchFusion }) : fusion;
          const [textRows, vectorRows] = await Promise.all([searchFullText(), searchVector(vector)]);
          const rows = new Map<string, Row>();
          for (const row of [...textRows, ...vectorRows]) rows.set(String(row.chunk_id), row);
          // Full text first: on equal scores its hit goes first (LanceDB's reranker leaves ties in no set order).
          scored = fuseRankings(
            [
              { keys: textRows.map((row) => String(row.chunk_id)), weight: weights.fullTextWeight },
              { keys: vectorRows.map((row) => String(row.chunk_id)), weight: weights.vectorWeight },
            ],
            weights.k,
          )
            .slice(0, limit)
            .map((item) => ({ row: rows.get(item.key)!, score: item.score }));
        }
      }
      return scored.map(({ row, score }) => {
        const { indexText: _unused, ...hit } = fromRow({ ...row, index_text: "" });
        const rowVector = toNumbers(row.vector);
        const relevance = vector && rowVector ? cosine(vector, rowVector) : null;
        return { ...hit, score, relevance };
      });
    },

    async maintain(name, maintainOptions) {
      return serialised(name, async () => {
        const written = writtenSinceOptimize.get(name) ?? 0;
        const force = maintainOptions?.force === true;
        // Counting rows and reading index statistics costs a scan: only look when there is work to do.
        if (!force && written < optimizeAfterRows) return { optimized: false, vectorIndexCreated: false };
        const table = await open(name);
        const rows = await table.countRows();
        const indexes = await table.listIndices();
        const current = indexes.find((index) => index.columns.includes("vector"));
        let vectorIndexCreated = false;
        if (rows >= tuning.threshold && (!current || shouldRetrain(current, rows, tuning))) {
          // The new index is built beside the old one, which keeps serving searches until it is dropped.
          await table.createIndex("vector", {
            config: vectorIndexConfig(rows),
            name: vectorIndexName(rows),
            replace: true,
          });
          if (current && current.name !== vectorIndexName(rows)) await table.dropIndex(current.name);
          vectorIndexTypes.delete(name);
          vectorIndexCreated = true;
        }
        // Versions are kept a while so searches and backups that started on an older version can finish.
        await table.optimize({ cleanupOlderThan: new Date(Date.now() - keepVersionsMs) });
        writtenSinceOptimize.set(name, 0);
        return { rows, optimized: true, vectorIndexCreated };
      });
    },

    async countRows(name) {
      if (!(await hasTable(name))) return 0;
      return (await open(name)).countRows();
    },

    async dropTable(name) {
      tables.delete(name);
      knownTables.delete(name);
      writtenSinceOptimize.delete(name);
      vectorIndexTypes.delete(name);
      if (await hasTable(name)) await connection.dropTable(name);
    },

    close() {
      for (const table of tables.values()) table.then((opened) => opened.close()).catch(() => undefined);
      tables.clear();
      connection.close();
    },
  };
  return store;
}
