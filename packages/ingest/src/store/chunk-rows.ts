import { createRequire } from "node:module";
import type * as Arrow from "apache-arrow";
import { indexWordsOfEach } from "../clean/index.js";
import type { Chunk } from "../types.js";

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

/** A chunk as the store keeps it: `chunk` with its ids, its index text and its vector. */
export function storedChunkOf(
  chunk: Chunk,
  stored: Pick<StoredChunk, "chunkId" | "documentId" | "indexText" | "vector">,
): StoredChunk {
  return {
    chunkId: stored.chunkId,
    documentId: stored.documentId,
    index: chunk.index,
    text: chunk.text,
    indexText: stored.indexText,
    start: chunk.start,
    end: chunk.end,
    headings: chunk.headings,
    page: chunk.page ?? null,
    tokens: chunk.tokens,
    vector: stored.vector,
  };
}

/** The column the full-text index is over: the index text cut into words (see `FULL_TEXT_INDEX_OPTIONS`). */
export const FULL_TEXT_COLUMN = "index_words";

/** The columns of a chunk read back, without its vector and full-text words. */
export const LIST_COLUMNS = [
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

/** The Arrow schema of a chunk table whose vectors have `dimension` numbers. */
export function chunkSchema(dimension: number): Arrow.Schema {
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

/** `value` as an SQL string literal for LanceDB filters. */
export function quote(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A LanceDB filter for the chunks of these documents. */
export function documentFilter(documentIds: readonly string[]): string {
  return `document_id IN (${documentIds.map(quote).join(", ")})`;
}

/** A row as LanceDB returns it. */
export type Row = Record<string, unknown>;

/**
 * Chunks as one Arrow record batch in the table's schema, built column by column: the vectors are copied into one
 * Float32Array instead of going through LanceDB's row-by-row conversion, which cost more than the write itself.
 */
export function toArrowTable(chunks: StoredChunk[]): Arrow.Table {
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

/** A chunk read back from a row (vector left out). */
export function fromRow(row: Row): Omit<StoredChunk, "vector"> {
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
export function toNumbers(cell: unknown): ArrayLike<number> | undefined {
  if (cell === null || cell === undefined) return undefined;
  if (typeof (cell as { toArray?: unknown }).toArray === "function") {
    return (cell as { toArray(): ArrayLike<number> }).toArray();
  }
  return cell as ArrayLike<number>;
}
