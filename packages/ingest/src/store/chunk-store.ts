import type { FullTextQuery } from "@lancedb/lancedb";
import * as lancedb from "@lancedb/lancedb";
import type { ChunkRecord } from "../record-schemas.js";
import {
  chunkSchema,
  documentFilter,
  FULL_TEXT_COLUMN,
  fromRow,
  LIST_COLUMNS,
  quote,
  type Row,
  type StoredChunk,
  toArrowTable,
  toNumbers,
} from "./chunk-rows.js";
import { retryCommitConflicts } from "./commit-conflicts.js";
import {
  DEFAULT_VECTOR_INDEX_TUNING,
  shouldRetrain,
  type VectorIndexTuning,
  vectorIndexConfig,
  vectorIndexName,
} from "./vector-index.js";

export { FULL_TEXT_COLUMN, type StoredChunk } from "./chunk-rows.js";

/** A chunk found by one side of a search, with that side's score and its stored vector. */
export interface ScoredChunk extends ChunkRecord {
  /** Higher is better: BM25 for full text, `1 - cosine distance` for vectors. */
  score: number;
  /** The chunk's vector, to compare with the query's. */
  vector: ArrayLike<number> | undefined;
}

/** What one side of a search looks at. */
export interface SideSearchOptions {
  /** Most chunks to return. */
  limit: number;
  /** Only chunks of these documents. */
  documentIds?: string[];
}

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
   * Chunks that match any of `clauses`, best summed BM25 first: what a BooleanQuery of the clauses as `Should`
   * scores, computed from one search per clause (see {@link FULL_TEXT_CLAUSE_DEPTH}).
   * @param clauses queries over {@link FULL_TEXT_COLUMN} (see `fullTextClauses`); none finds nothing.
   */
  fullTextSearch(
    table: string,
    clauses: readonly FullTextQuery[],
    options: SideSearchOptions,
  ): Promise<ScoredChunk[]>;
  /** Chunks nearest to `vector` by cosine distance, through the ANN index once the table has one. */
  vectorSearch(table: string, vector: number[], options: SideSearchOptions): Promise<ScoredChunk[]>;
  /**
   * Folds new rows into the indexes (when enough have piled up, or always with `force`), removes old table
   * versions, builds the ANN index once the table is big enough, and trains it again as the table outgrows it.
   */
  maintain(table: string, options?: { force?: boolean }): Promise<MaintenanceReport>;
  countRows(table: string): Promise<number>;
  /** Rows the full-text index has not taken in yet (all of them without one; 0 without the table). */
  unfoldedRows(table: string): Promise<number>;
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

/** Extra full-text rows read beyond a search's limit so that ties at the limit are cut the same way every time. */
const FULL_TEXT_TIE_SLACK = 32;

/**
 * A query of several clauses is searched one clause at a time, each for this many times the limit (at least the
 * limit plus {@link FULL_TEXT_TIE_SLACK}), and the clauses' BM25 summed per chunk, as a `Should` BooleanQuery sums
 * them. LanceDB 0.31 evaluates a BooleanQuery of our two clauses (words, Han pairs) far slower than the two alone:
 * at 1M chunks p95 860 ms against 22 ms each (docs/scale.md). A chunk found by one clause but past another's depth
 * misses that clause's share, which is at most the smallest score that clause returned.
 */
export const FULL_TEXT_CLAUSE_DEPTH = 4;

/** What a search reads of a chunk: all but the index text, and the vector for the relevance. */
const SEARCH_COLUMNS = [...LIST_COLUMNS.filter((column) => column !== "index_text"), "vector"];

function filterOf(documentIds: readonly string[] | undefined): string | undefined {
  return documentIds && documentIds.length > 0 ? documentFilter(documentIds) : undefined;
}

function toScored(row: Row, score: number): ScoredChunk {
  const { indexText: _unused, ...chunk } = fromRow({ ...row, index_text: "" });
  return { ...chunk, score, vector: toNumbers(row.vector) };
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
}

/** Opens the LanceDB database under `directory`. */
export async function openChunkStore(options: ChunkStoreOptions): Promise<ChunkStore> {
  const tuning = { ...DEFAULT_VECTOR_INDEX_TUNING, ...options.vectorIndex };
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

  /**
   * Writes to one table run one after another in this process. A write that loses a commit race with another
   * process (or connection) on the same table is done again on the newest version: each write below reads what it
   * depends on inside `work`, so a retry sees what the winner did.
   */
  const serialised = <T>(name: string, work: () => Promise<T>): Promise<T> => {
    const previous = writeQueues.get(name) ?? Promise.resolve();
    const attempt = () => retryCommitConflicts(work);
    const next = previous.then(attempt, attempt);
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
        if (!indexes.some((index) => index.columns.includes(FULL_TEXT_COLUMN))) {
          await table.createIndex(FULL_TEXT_COLUMN, { config: lancedb.Index.fts(FULL_TEXT_INDEX_OPTIONS) });
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

    async fullTextSearch(name, clauses, { limit, documentIds }) {
      if (clauses.length === 0) return [];
      const table = await open(name);
      const filter = filterOf(documentIds);
      // BM25 ties are common (short chunks of one template, Chinese pair terms), and LanceDB returns tied rows in
      // no fixed order, so the same query could answer differently twice. Read past the limit, then order ties by
      // chunk id: the same data always gives the same results.
      const depth =
        clauses.length === 1
          ? limit + FULL_TEXT_TIE_SLACK
          : Math.max(limit * FULL_TEXT_CLAUSE_DEPTH, limit + FULL_TEXT_TIE_SLACK);
      const found = await Promise.all(
        clauses.map((clause) => {
          let builder = table.query().fullTextSearch(clause);
          if (filter) builder = builder.where(filter);
          return builder
            .select([...SEARCH_COLUMNS, "_score"])
            .limit(depth)
            .toArray() as Promise<Row[]>;
        }),
      );
      const best = new Map<string, { row: Row; score: number }>();
      for (const row of found.flat()) {
        const chunkId = String(row.chunk_id);
        const seen = best.get(chunkId);
        if (seen) seen.score += Number(row._score);
        else best.set(chunkId, { row, score: Number(row._score) });
      }
      // Only the rows kept are turned into chunks (their vectors copied): the rest were read to rank them.
      return [...best]
        .sort(([idA, a], [idB, b]) => b.score - a.score || (idA < idB ? -1 : 1))
        .slice(0, limit)
        .map(([, { row, score }]) => toScored(row, score));
    },

    async vectorSearch(name, vector, { limit, documentIds }) {
      const table = await open(name);
      let builder = table.query().nearestTo(vector).distanceType("cosine").nprobes(tuning.nprobes);
      // Re-ranking with full vectors is what gives quantised IVF indexes (IvfRq, IvfPq) their recall; HNSW_SQ is
      // accurate without it, and the extra reads cost time.
      if (/^Ivf(Rq|Pq)$/i.test((await vectorIndexType(name, table)) ?? ""))
        builder = builder.refineFactor(tuning.refineFactor);
      const filter = filterOf(documentIds);
      if (filter) builder = builder.where(filter);
      const rows = await builder
        .select([...SEARCH_COLUMNS, "_distance"])
        .limit(limit)
        .toArray();
      return rows.map((row: Row) => toScored(row, 1 - Number(row._distance)));
    },

    async unfoldedRows(name) {
      if (!(await hasTable(name))) return 0;
      const table = await open(name);
      const fullText = (await table.listIndices()).find((index) => index.indexType === "FTS");
      if (!fullText) return table.countRows();
      return (await table.indexStats(fullText.name))?.numUnindexedRows ?? 0;
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
