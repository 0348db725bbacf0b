import { randomUUID } from "node:crypto";
import { join } from "node:path";
import type { Database, Statement } from "better-sqlite3";
import pLimit from "p-limit";
import { edgeLineFingerprints, normalizeForIndex } from "./clean/index.js";
import { isZhikuError, ZhikuError } from "./errors.js";
import { DEFAULT_MAX_BYTES, indexTextsOf, prepareDocument } from "./pipeline.js";
import type { ChunkRecord, SearchResult } from "./record-schemas.js";
import {
  type ChunkStore,
  openChunkStore,
  type StoredChunk,
  type VectorIndexTuning,
} from "./store/chunk-store.js";
import { createFileStore, type FileStore, hashBytes } from "./store/file-store.js";
import type { FusionOptions } from "./store/fusion.js";
import { openMetadataDb } from "./store/metadata-db.js";
import type { ChunkOptions, DocumentType, Embedder, ParsedDocument } from "./types.js";

/** How a search finds passages: vector and full text fused (default), or one of them alone. */
export type SearchMode = "hybrid" | "vector" | "fulltext";

/** Per-workspace settings; every field optional, defaults applied by the server. */
export interface WorkspaceSettings {
  /** Ollama chat model for this workspace, overriding `CHAT_MODEL`. */
  chatModel?: string;
  /** Passages retrieved per question. */
  topK?: number;
  /** Default search mode for chat retrieval. */
  mode?: SearchMode;
  /** Extra system prompt text. */
  systemPrompt?: string;
  /** Sampling temperature for chat. */
  temperature?: number;
  /** Minimum relevance (0..1) a passage needs to be used; below it query mode refuses. */
  relevanceCutoff?: number;
}

/** A workspace: a named collection of documents with one embedding model. */
export interface WorkspaceRecord {
  id: string;
  slug: string;
  name: string;
  /** Embedding model whose vectors the workspace holds; null until the first document is embedded. */
  embedModel: string | null;
  /** Vector length of `embedModel`; null until the first document is embedded. */
  embedDimension: number | null;
  settings: WorkspaceSettings;
  createdAt: string;
  updatedAt: string;
}

/** Lifecycle of a document: the server queues uploads; the CLI goes straight to processing. */
export type DocumentStatus = "queued" | "processing" | "ready" | "failed";

/** A document of a workspace, identified by workspace + name; its version by its content hash. */
export interface DocumentRecord {
  id: string;
  workspaceId: string;
  /** Source name: file name, path relative to an ingested folder, or URL. Unique in a workspace. */
  name: string;
  type: DocumentType | null;
  /** Size of the original file in bytes. */
  bytes: number;
  /** SHA-256 (hex) of the original bytes of the version whose chunks are stored; null before the first. */
  contentHash: string | null;
  status: DocumentStatus;
  /** Why the last attempt failed, for `failed` documents (and for a ready one whose update failed). */
  error: string | null;
  /** Number of chunks stored for the current version. */
  chunks: number;
  title: string | null;
  byline: string | null;
  pages: number | null;
  createdAt: string;
  updatedAt: string;
}

// Declared once, as zod schemas the server describes its API with.
export type { ChunkRecord, SearchResult } from "./record-schemas.js";

/** Stages reported while a document is ingested. */
export type IngestProgress =
  | { stage: "parsing" }
  | { stage: "chunking" }
  | { stage: "embedding"; done: number; total: number }
  | { stage: "storing" };

/** Result of ingesting one file. */
export interface IngestOutcome {
  /** `skipped` when the stored version already has this content. */
  status: "ingested" | "skipped";
  document: DocumentRecord;
}

/** Options for {@link KnowledgeBase.ingest}. */
export interface IngestOptions {
  /** Workspace slug; created with this slug as its name when missing. */
  workspace: string;
  /** Source name of the document (unique per workspace). */
  name: string;
  /** The original file's bytes. */
  bytes: Uint8Array;
  /** Largest accepted file, in bytes; larger ones fail with `too_large:file`. */
  maxBytes?: number;
  /** Chunk size options; defaults from the knowledge base. */
  chunkOptions?: ChunkOptions;
  /** Reports progress through the stages. */
  onProgress?: (progress: IngestProgress) => void;
  /** Cancels the ingestion; nothing of a cancelled version is stored. */
  signal?: AbortSignal;
}

/** Options for {@link KnowledgeBase.search}. */
export interface SearchOptions {
  /** Workspace slug. */
  workspace: string;
  /** What to look for, in any language. */
  query: string;
  /** Most results to return; default 10. */
  limit?: number;
  /** Default `hybrid`. */
  mode?: SearchMode;
  /** Only passages of these documents. */
  documentIds?: string[];
}

/** Results of a search, best first, and the mode actually used (hybrid falls back to fulltext without Ollama). */
export interface SearchResponse {
  results: SearchResult[];
  mode: SearchMode;
  /** Why the requested mode could not be used, when it fell back. */
  fallbackReason?: string;
}

/** Options for {@link openKnowledgeBase}. */
export interface KnowledgeBaseOptions {
  /** Root of the data layout shared by the CLI and the server (`DATA_DIR`). */
  dataDir: string;
  /** Embeds chunks and queries. */
  embedder: Embedder;
  /** Default chunk sizes. */
  chunkOptions?: ChunkOptions;
  /** Vector index tuning. */
  vectorIndex?: Partial<VectorIndexTuning>;
  /** Weights of the vector and full-text rankings in hybrid search; default k 60, equal weights. */
  fusion?: Partial<FusionOptions>;
  /** A line is boilerplate once it appears in this many documents of a workspace. Default 3. */
  boilerplateMinDocuments?: number;
  /**
   * Whether the index text (full text and embeddings) of a chunk starts with its document title and heading
   * path. Default true: it lifts recall for questions phrased like the section title (bench/results).
   */
  headingContext?: boolean;
}

/** Where each part of the data lives under `DATA_DIR`. */
export function dataLayout(dataDir: string): { database: string; lancedb: string; files: string } {
  return {
    database: join(dataDir, "zhiku.db"),
    lancedb: join(dataDir, "lancedb"),
    files: join(dataDir, "files"),
  };
}

const SLUG_PATTERN = /^[a-z0-9][a-z0-9_-]{0,63}$/;

/** A slug for a workspace name: lower-case ASCII words joined by dashes, or `ws-` and a random suffix. */
export function slugify(name: string): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 48);
  return slug.length > 0 ? slug : `ws-${randomUUID().slice(0, 8)}`;
}

interface WorkspaceRow {
  id: string;
  slug: string;
  name: string;
  embed_model: string | null;
  embed_dimension: number | null;
  chunk_table: string | null;
  settings: string;
  created_at: string;
  updated_at: string;
}

/** A document parsed, chunked and embedded, waiting to be written. */
interface StagedDocument {
  options: IngestOptions & { documentId?: string };
  documentId: string;
  workspaceId: string;
  contentHash: string;
  /** The workspace's chunk table. */
  table: string;
  stored: StoredChunk[];
  fingerprints: string[];
  parsed: ParsedDocument | undefined;
  /** Whether an earlier version was stored. */
  hadVersion: boolean;
  /** Whether LanceDB may hold chunks of this document (a stored version, or a write cut off by a crash). */
  mayHaveChunks: boolean;
}

interface DocumentRow {
  id: string;
  pending_hash: string | null;
  workspace_id: string;
  name: string;
  type: string | null;
  bytes: number;
  content_hash: string | null;
  file_hash: string | null;
  status: DocumentStatus;
  error: string | null;
  chunks: number;
  title: string | null;
  byline: string | null;
  pages: number | null;
  created_at: string;
  updated_at: string;
}

function toWorkspace(row: WorkspaceRow): WorkspaceRecord {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    embedModel: row.embed_model,
    embedDimension: row.embed_dimension,
    settings: JSON.parse(row.settings) as WorkspaceSettings,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDocument(row: DocumentRow): DocumentRecord {
  return {
    id: row.id,
    workspaceId: row.workspace_id,
    name: row.name,
    type: row.type as DocumentType | null,
    bytes: row.bytes,
    contentHash: row.content_hash,
    status: row.status,
    error: row.error,
    chunks: row.chunks,
    title: row.title,
    byline: row.byline,
    pages: row.pages,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function now(): string {
  return new Date().toISOString();
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Documents of a batch staged (parsed, chunked, embedded) at once: with one at a time the CPU idles while a
 * document waits on Ollama, and Ollama waits while the next one is parsed.
 */
const STAGE_CONCURRENCY = 4;

/**
 * Workspaces, documents and their chunks: metadata in SQLite, chunks and vectors in LanceDB, originals in a
 * content-addressed file store, all under one data dir that the CLI and the server share.
 */
export class KnowledgeBase {
  /** Root of the data layout. */
  readonly dataDir: string;
  /** The shared SQLite database; other packages add their own tables with their own migration scope. */
  readonly db: Database;
  /** Original files by content hash. */
  readonly files: FileStore;
  /** The embedder used for new chunks and for queries. */
  readonly embedder: Embedder;
  private readonly chunks: ChunkStore;
  private readonly chunkOptions: ChunkOptions | undefined;
  private readonly boilerplateMinDocuments: number;
  private readonly headingContext: boolean;
  /** Prepared statements by their SQL: preparing costs more than running most of them. */
  private readonly statements = new Map<string, Statement<unknown[], unknown>>();

  private constructor(options: {
    dataDir: string;
    db: Database;
    files: FileStore;
    chunks: ChunkStore;
    embedder: Embedder;
    chunkOptions?: ChunkOptions;
    boilerplateMinDocuments?: number;
    headingContext?: boolean;
  }) {
    this.dataDir = options.dataDir;
    this.db = options.db;
    this.files = options.files;
    this.chunks = options.chunks;
    this.embedder = options.embedder;
    this.chunkOptions = options.chunkOptions;
    this.boilerplateMinDocuments = options.boilerplateMinDocuments ?? 3;
    this.headingContext = options.headingContext ?? true;
  }

  /** Opens the knowledge base under `options.dataDir`, creating and migrating what is missing. */
  static async open(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
    const layout = dataLayout(options.dataDir);
    const db = openMetadataDb(layout.database);
    try {
      const chunks = await openChunkStore({
        directory: layout.lancedb,
        vectorIndex: options.vectorIndex,
        fusion: options.fusion,
      });
      return new KnowledgeBase({
        dataDir: options.dataDir,
        db,
        files: createFileStore(layout.files),
        chunks,
        embedder: options.embedder,
        chunkOptions: options.chunkOptions,
        boilerplateMinDocuments: options.boilerplateMinDocuments,
        headingContext: options.headingContext,
      });
    } catch (error) {
      db.close();
      throw error;
    }
  }

  // ---- workspaces ----

  /** Every workspace, by name. */
  listWorkspaces(): WorkspaceRecord[] {
    return this.statement<[], WorkspaceRow>("SELECT * FROM workspaces ORDER BY name COLLATE NOCASE")
      .all()
      .map(toWorkspace);
  }

  /** The workspace with this slug, if any. */
  getWorkspace(slug: string): WorkspaceRecord | undefined {
    const row = this.workspaceRow(slug);
    return row ? toWorkspace(row) : undefined;
  }

  /** The workspace with this slug; fails with `not_found:workspace`. */
  requireWorkspace(slug: string): WorkspaceRecord {
    return toWorkspace(this.requireWorkspaceRow(slug));
  }

  /** Creates a workspace; the slug is derived from the name unless given. Fails with `conflict:workspace`. */
  createWorkspace(input: { name: string; slug?: string; settings?: WorkspaceSettings }): WorkspaceRecord {
    const name = input.name.trim();
    if (name.length === 0) throw new ZhikuError("invalid:input", "name: a workspace needs a name");
    const slug = input.slug ?? slugify(name);
    if (!SLUG_PATTERN.test(slug)) {
      throw new ZhikuError(
        "invalid:input",
        `slug: "${slug}" is not a valid workspace slug (lower-case letters, digits, "-" and "_", at most 64)`,
      );
    }
    if (this.workspaceRow(slug))
      throw new ZhikuError("conflict:workspace", `A workspace "${slug}" already exists`);
    const time = now();
    this.statement(
      "INSERT INTO workspaces (id, slug, name, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
    ).run(randomUUID(), slug, name, JSON.stringify(input.settings ?? {}), time, time);
    return this.requireWorkspace(slug);
  }

  /** Renames a workspace or replaces fields of its settings (a field set to null is removed). */
  updateWorkspace(slug: string, patch: { name?: string; settings?: WorkspaceSettings }): WorkspaceRecord {
    const current = this.requireWorkspace(slug);
    const name = patch.name?.trim() ?? current.name;
    if (name.length === 0) throw new ZhikuError("invalid:input", "name: a workspace needs a name");
    const settings = Object.fromEntries(
      Object.entries({ ...current.settings, ...patch.settings }).filter(
        ([, value]) => value !== null && value !== undefined,
      ),
    );
    this.statement("UPDATE workspaces SET name = ?, settings = ?, updated_at = ? WHERE id = ?").run(
      name,
      JSON.stringify(settings),
      now(),
      current.id,
    );
    return this.requireWorkspace(slug);
  }

  /** Deletes a workspace with its documents, chunks and vectors. */
  async deleteWorkspace(slug: string): Promise<void> {
    const row = this.requireWorkspaceRow(slug);
    const fileHashes = this.statement<[string], { file_hash: string }>(
      "SELECT DISTINCT file_hash FROM documents WHERE workspace_id = ? AND file_hash IS NOT NULL",
    )
      .all(row.id)
      .map((document) => document.file_hash);
    this.statement("DELETE FROM workspaces WHERE id = ?").run(row.id);
    if (row.chunk_table) await this.chunks.dropTable(row.chunk_table);
    await this.removeUnreferencedFiles(fileHashes);
  }

  // ---- documents ----

  /** Documents of a workspace, by name. */
  listDocuments(workspace: string): DocumentRecord[] {
    const row = this.requireWorkspaceRow(workspace);
    return this.statement<[string], DocumentRow>(
      "SELECT * FROM documents WHERE workspace_id = ? ORDER BY name",
    )
      .all(row.id)
      .map(toDocument);
  }

  /** One document of a workspace, if any. */
  getDocument(workspace: string, documentId: string): DocumentRecord | undefined {
    const row = this.requireWorkspaceRow(workspace);
    const document = this.statement<[string, string], DocumentRow>(
      "SELECT * FROM documents WHERE id = ? AND workspace_id = ?",
    ).get(documentId, row.id);
    return document ? toDocument(document) : undefined;
  }

  /** Documents of all workspaces by status (the server's metrics). */
  countDocumentsByStatus(): Record<DocumentStatus, number> {
    const counts: Record<DocumentStatus, number> = { queued: 0, processing: 0, ready: 0, failed: 0 };
    const rows = this.statement<[], { status: DocumentStatus; count: number }>(
      "SELECT status, COUNT(*) AS count FROM documents GROUP BY status",
    ).all();
    for (const row of rows) counts[row.status] = row.count;
    return counts;
  }

  /** Content hash of the original file of a document's latest upload, for downloads and re-ingestion. */
  documentFileHash(documentId: string): string | null {
    const row = this.statement<[string], { file_hash: string | null }>(
      "SELECT file_hash FROM documents WHERE id = ?",
    ).get(documentId);
    return row?.file_hash ?? null;
  }

  /**
   * Records an upload to be ingested later: a new document row with status `queued`, or an existing same-name
   * document marked `queued` (its current chunks stay searchable until the new version replaces them).
   */
  queueDocument(input: { workspace: string; name: string; bytes: number; fileHash: string }): DocumentRecord {
    const workspace = this.requireWorkspaceRow(input.workspace);
    const time = now();
    this.statement(
      `INSERT INTO documents (id, workspace_id, name, bytes, file_hash, status, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)
         ON CONFLICT (workspace_id, name) DO UPDATE SET
           bytes = excluded.bytes, file_hash = excluded.file_hash, status = 'queued', error = NULL, updated_at = excluded.updated_at`,
    ).run(randomUUID(), workspace.id, input.name, input.bytes, input.fileHash, time, time);
    return toDocument(this.documentByName(workspace.id, input.name)!);
  }

  /** Sets a document's status (and error, for `failed`). */
  setDocumentStatus(documentId: string, status: DocumentStatus, error: string | null = null): DocumentRecord {
    const result = this.statement(
      "UPDATE documents SET status = ?, error = ?, updated_at = ? WHERE id = ?",
    ).run(status, error, now(), documentId);
    if (result.changes === 0) throw new ZhikuError("not_found:document", `No document with id ${documentId}`);
    return toDocument(
      this.statement<[string], DocumentRow>("SELECT * FROM documents WHERE id = ?").get(documentId)!,
    );
  }

  /**
   * Parses, cleans, chunks, embeds and stores one file. A document is identified by workspace + name and its
   * version by the hash of its bytes: unchanged content is `skipped`; changed content replaces the old chunks in
   * one commit. On failure the error is thrown as an {@link ZhikuError}; a document that never had a stored
   * version is removed again unless the server queued it (then it is left `failed` with the reason).
   */
  async ingest(options: IngestOptions & { documentId?: string }): Promise<IngestOutcome> {
    const [result] = await this.ingestBatch([options]);
    if (!result || "error" in result) throw result?.error;
    return result;
  }

  /**
   * Ingests several files of one workspace as {@link ingest} does each, but stores their chunks in one LanceDB
   * commit and one SQLite transaction: a commit costs about as much as parsing a document, so folders go in
   * batches. Each file fails alone (its result holds the error); a failed write fails the files it carried.
   * Results are in the order of `items`.
   */
  async ingestBatch(
    items: (IngestOptions & { documentId?: string })[],
  ): Promise<(IngestOutcome | { error: unknown })[]> {
    const results: (IngestOutcome | { error: unknown } | undefined)[] = new Array(items.length);
    const staged: { position: number; document: StagedDocument }[] = [];
    let table: string | undefined;
    let unreachable: unknown;
    // A few documents at a time: one is parsed while others wait on their embeddings.
    const limit = pLimit(STAGE_CONCURRENCY);
    await Promise.all(
      items.map((options, position) =>
        limit(async () => {
          // Once Ollama is unreachable (after the embedder's retries), the rest fail at once instead of each retrying.
          if (unreachable) {
            results[position] = { error: unreachable };
            return;
          }
          try {
            const result = await this.stageDocument(options);
            if ("status" in result) results[position] = result;
            else {
              staged.push({ position, document: result });
              table = result.table;
            }
          } catch (error) {
            results[position] = { error };
            if (isZhikuError(error, "unavailable:ollama")) unreachable = error;
          }
        }),
      ),
    );
    staged.sort((first, second) => first.position - second.position);
    if (table && staged.length > 0) {
      try {
        await this.storeStaged(
          table,
          staged.map((entry) => entry.document),
        );
        for (const { position, document } of staged) {
          results[position] = { status: "ingested", document: this.requireDocumentById(document.documentId) };
        }
      } catch (error) {
        for (const { position, document } of staged) {
          results[position] = { error: this.recordFailure(document, error) };
        }
      }
    }
    return results.map((result) => result ?? { error: new Error("not ingested") });
  }

  /** Everything up to the vectors: no chunk is written yet. The row is marked `processing`. */
  private async stageDocument(
    options: IngestOptions & { documentId?: string },
  ): Promise<StagedDocument | IngestOutcome> {
    const workspaceRecord =
      this.getWorkspace(options.workspace) ??
      this.createWorkspace({ name: options.workspace, slug: options.workspace });
    const workspace = this.requireWorkspaceRow(workspaceRecord.slug);
    const contentHash = hashBytes(options.bytes);
    const existing = options.documentId
      ? this.statement<[string, string], DocumentRow>(
          "SELECT * FROM documents WHERE id = ? AND workspace_id = ?",
        ).get(options.documentId, workspace.id)
      : this.documentByName(workspace.id, options.name);
    if (options.documentId && !existing) {
      throw new ZhikuError(
        "not_found:document",
        `${options.name}: document ${options.documentId} no longer exists`,
      );
    }
    const sameModel = workspace.embed_model === null || workspace.embed_model === this.embedder.model;
    if (
      existing &&
      existing.content_hash === contentHash &&
      existing.chunks > 0 &&
      sameModel &&
      workspace.chunk_table
    ) {
      if (existing.status !== "ready" || existing.error) this.setDocumentStatus(existing.id, "ready");
      return { status: "skipped", document: this.requireDocumentById(existing.id) };
    }

    const time = now();
    const staged: StagedDocument = {
      options,
      documentId: existing?.id ?? randomUUID(),
      workspaceId: workspace.id,
      contentHash,
      table: "",
      stored: [],
      fingerprints: [],
      hadVersion: existing?.content_hash != null,
      // Chunks of this document may be in LanceDB if a version was stored, or a write was cut off (see pending_hash).
      mayHaveChunks: existing?.content_hash != null || existing?.pending_hash != null,
      parsed: undefined,
    };
    if (existing) {
      this.statement(
        "UPDATE documents SET status = 'processing', error = NULL, updated_at = ? WHERE id = ?",
      ).run(time, staged.documentId);
    } else {
      this.statement(
        `INSERT INTO documents (id, workspace_id, name, bytes, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'processing', ?, ?)`,
      ).run(staged.documentId, workspace.id, options.name, options.bytes.byteLength, time, time);
    }

    try {
      options.signal?.throwIfAborted();
      options.onProgress?.({ stage: "parsing" });
      const prepared = await prepareDocument({
        bytes: options.bytes,
        name: options.name,
        maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
        chunkOptions: options.chunkOptions ?? this.chunkOptions,
      });
      staged.parsed = prepared.parsed;
      options.onProgress?.({ stage: "chunking" });
      const edgeLines = edgeLineFingerprints(prepared.parsed.text);
      staged.fingerprints = [...new Set(edgeLines.values())];
      const boilerplate = this.boilerplateAmong(workspace.id, staged.documentId, staged.fingerprints);
      const boilerplateLines = new Set(
        [...edgeLines].filter(([, fingerprint]) => boilerplate.has(fingerprint)).map(([line]) => line),
      );
      const indexTexts = indexTextsOf({
        parsed: prepared.parsed,
        chunks: prepared.chunks,
        headingContext: this.headingContext,
        isBoilerplate: boilerplateLines.size > 0 ? (line) => boilerplateLines.has(line) : undefined,
      });
      const candidates = prepared.chunks
        .map((chunk, position) => ({ chunk, indexText: indexTexts[position]! }))
        .filter((candidate) => candidate.indexText.length > 0);

      staged.table = await this.ensureEmbeddingTable(workspace);
      options.signal?.throwIfAborted();
      options.onProgress?.({ stage: "embedding", done: 0, total: candidates.length });
      const vectors = await this.embedder.embed(
        candidates.map((candidate) => candidate.indexText),
        {
          signal: options.signal,
          onProgress: (done) => options.onProgress?.({ stage: "embedding", done, total: candidates.length }),
        },
      );
      options.signal?.throwIfAborted();
      options.onProgress?.({ stage: "storing" });
      const versionTag = contentHash.slice(0, 12);
      staged.stored = candidates.map(({ chunk, indexText }, position) => ({
        chunkId: `${staged.documentId}:${versionTag}:${chunk.index}`,
        documentId: staged.documentId,
        index: chunk.index,
        text: chunk.text,
        indexText,
        start: chunk.start,
        end: chunk.end,
        headings: chunk.headings,
        page: chunk.page ?? null,
        tokens: chunk.tokens,
        vector: vectors[position]!,
      }));
      return staged;
    } catch (error) {
      throw this.recordFailure(staged, error);
    }
  }

  /**
   * Writes staged documents: chunks of documents that cannot have any stored yet are appended in one commit;
   * the others replace their old chunks one merge-insert commit each; then one SQLite transaction makes them
   * ready. `pending_hash` marks a write in progress, so after a crash the retry replaces whatever was written.
   */
  private async storeStaged(table: string, documents: StagedDocument[]): Promise<void> {
    const markPending = this.statement("UPDATE documents SET pending_hash = ? WHERE id = ?");
    this.db.transaction(() => {
      for (const document of documents) markPending.run(document.contentHash, document.documentId);
    })();
    await this.chunks.appendChunks(
      table,
      documents.filter((document) => !document.mayHaveChunks).flatMap((document) => document.stored),
    );
    for (const document of documents.filter((candidate) => candidate.mayHaveChunks)) {
      await this.chunks.replaceDocument(table, document.documentId, document.stored);
    }
    const fileHashes = new Map<string, string>();
    for (const document of documents) {
      fileHashes.set(document.documentId, await this.files.put(document.options.bytes));
    }
    const update = this.statement(
      `UPDATE documents SET type = ?, bytes = ?, content_hash = ?, file_hash = ?, pending_hash = NULL, status = 'ready',
         error = NULL, chunks = ?, title = ?, byline = ?, pages = ?, updated_at = ? WHERE id = ?`,
    );
    const clearFingerprints = this.statement("DELETE FROM line_fingerprints WHERE document_id = ?");
    // A document's fingerprints go in with one statement, as a JSON array.
    const insertFingerprints = this.statement(
      `INSERT OR IGNORE INTO line_fingerprints (workspace_id, fingerprint, document_id)
       SELECT ?, value, ? FROM json_each(?)`,
    );
    this.db.transaction(() => {
      for (const document of documents) {
        const parsed = document.parsed!;
        update.run(
          parsed.type,
          document.options.bytes.byteLength,
          document.contentHash,
          fileHashes.get(document.documentId)!,
          document.stored.length,
          parsed.title ?? null,
          parsed.byline ?? null,
          parsed.pages ?? null,
          now(),
          document.documentId,
        );
        clearFingerprints.run(document.documentId);
        insertFingerprints.run(
          document.workspaceId,
          document.documentId,
          JSON.stringify(document.fingerprints),
        );
      }
    })();
    await this.chunks.maintain(table);
  }

  /**
   * Records why a document failed and returns the error to report: a document that never had a stored version
   * is removed unless the server queued it; otherwise it is left `failed` with the reason.
   */
  private recordFailure(document: StagedDocument, error: unknown): unknown {
    const { options } = document;
    const failure = isZhikuError(error)
      ? error
      : options.signal?.aborted
        ? new ZhikuError("invalid:input", `${options.name}: ingestion was cancelled`, { cause: error })
        : error;
    // A row is removed only while nothing of it can be in LanceDB (no version, no write begun).
    const removed =
      !document.hadVersion &&
      options.documentId === undefined &&
      this.statement("DELETE FROM documents WHERE id = ? AND pending_hash IS NULL").run(document.documentId)
        .changes > 0;
    if (!removed) {
      this.statement("UPDATE documents SET status = 'failed', error = ?, updated_at = ? WHERE id = ?").run(
        errorMessage(failure),
        now(),
        document.documentId,
      );
    }
    return failure;
  }

  /** A document's stored chunks in order (the chunk viewer). */
  async listChunks(workspace: string, documentId: string): Promise<ChunkRecord[]> {
    const row = this.requireWorkspaceRow(workspace);
    if (!this.getDocument(workspace, documentId))
      throw new ZhikuError("not_found:document", `No document ${documentId} in workspace "${workspace}"`);
    if (!row.chunk_table) return [];
    const chunks = await this.chunks.listChunks(row.chunk_table, documentId);
    return chunks.map(({ indexText: _indexText, ...chunk }) => chunk);
  }

  /** Deletes a document, its chunks and full-text entries, and its original file unless another document has it. */
  async deleteDocument(workspace: string, documentId: string): Promise<void> {
    const row = this.requireWorkspaceRow(workspace);
    const document = this.statement<[string, string], DocumentRow>(
      "SELECT * FROM documents WHERE id = ? AND workspace_id = ?",
    ).get(documentId, row.id);
    if (!document)
      throw new ZhikuError("not_found:document", `No document ${documentId} in workspace "${workspace}"`);
    // Chunks first: if the process dies in between, a document row without chunks is visible and can be deleted again.
    if (row.chunk_table) await this.chunks.deleteDocument(row.chunk_table, documentId);
    this.statement("DELETE FROM documents WHERE id = ?").run(documentId);
    if (document.file_hash) await this.removeUnreferencedFiles([document.file_hash]);
  }

  /** Searches a workspace; hybrid (vector + full text, fused by reciprocal rank) unless another mode is asked for. */
  async search(options: SearchOptions): Promise<SearchResponse> {
    const workspace = this.requireWorkspaceRow(options.workspace);
    const query = options.query.trim();
    if (query.length === 0) throw new ZhikuError("invalid:input", "query: must not be empty");
    const limit = Math.min(Math.max(1, Math.floor(options.limit ?? 10)), 100);
    const requested = options.mode ?? "hybrid";
    if (!workspace.chunk_table) return { results: [], mode: requested };

    let mode = requested;
    let fallbackReason: string | undefined;
    let vector: number[] | undefined;
    if (requested !== "fulltext") {
      try {
        if (workspace.embed_model !== this.embedder.model) {
          throw new ZhikuError(
            "conflict:embedding_model",
            `Workspace "${workspace.slug}" holds vectors of ${workspace.embed_model} but the embedder is ${this.embedder.model}: run zhiku reembed --workspace ${workspace.slug}, or set EMBED_MODEL=${workspace.embed_model}`,
          );
        }
        // One quick retry at most: a search should fall back to full text at once when Ollama is down,
        // not wait out the backoff that ingestion uses.
        [vector] = await this.embedder.embed([normalizeForIndex(query)], { retries: 1 });
      } catch (error) {
        if (requested === "vector" || !isZhikuError(error)) throw error;
        mode = "fulltext";
        fallbackReason = error.message;
      }
    }
    const hits = await this.chunks.search(workspace.chunk_table, {
      mode,
      query: normalizeForIndex(query),
      vector,
      limit,
      documentIds: options.documentIds,
    });
    const names = this.documentNames(workspace.id, [...new Set(hits.map((hit) => hit.documentId))]);
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
        page: hit.page,
        headings: hit.headings,
        start: hit.start,
        end: hit.end,
      });
    }
    return { results, mode, ...(fallbackReason ? { fallbackReason } : {}) };
  }

  /**
   * Re-embeds every chunk of a workspace with the current embedder into a new table, then switches the
   * workspace to it in one SQLite update and drops the old table: searches see the old vectors or the new ones,
   * never a mix. Run it after changing `EMBED_MODEL`, while nothing else ingests into the workspace.
   */
  async reembed(
    workspace: string,
    options: { onProgress?: (done: number, total: number) => void } = {},
  ): Promise<{ chunks: number }> {
    const row = this.requireWorkspaceRow(workspace);
    if (!row.chunk_table)
      throw new ZhikuError("invalid:input", `Workspace "${workspace}" has no chunks to re-embed`);
    const total = await this.chunks.countRows(row.chunk_table);
    const dimension = await this.embedder.dimension();
    const generation = Number(/_(\d+)$/.exec(row.chunk_table)?.[1] ?? "1") + 1;
    const table = `chunks_${row.id.replaceAll("-", "")}_${generation}`;
    await this.chunks.dropTable(table);
    await this.chunks.ensureTable(table, dimension);
    let done = 0;
    try {
      await this.chunks.scan(row.chunk_table, async (page) => {
        const vectors = await this.embedder.embed(page.map((chunk) => chunk.indexText));
        await this.chunks.appendChunks(
          table,
          page.map((chunk, position) => ({ ...chunk, vector: vectors[position]! })),
        );
        done += page.length;
        options.onProgress?.(done, total);
      });
      await this.chunks.maintain(table, { force: true });
    } catch (error) {
      await this.chunks.dropTable(table);
      throw error;
    }
    this.statement(
      "UPDATE workspaces SET embed_model = ?, embed_dimension = ?, chunk_table = ?, updated_at = ? WHERE id = ?",
    ).run(this.embedder.model, dimension, table, now(), row.id);
    await this.chunks.dropTable(row.chunk_table);
    return { chunks: done };
  }

  /**
   * Folds a workspace's recently stored chunks into its full-text and vector indexes. Run after a batch of
   * ingestions (the CLI does at its end, the server when its queue goes idle); until then the newest chunks are
   * found by vector search but ranked poorly by full-text search.
   */
  async optimize(workspace: string): Promise<void> {
    const row = this.workspaceRow(workspace);
    if (row?.chunk_table) await this.chunks.maintain(row.chunk_table, { force: true });
  }

  /** Closes the database handles. */
  async close(): Promise<void> {
    this.chunks.close();
    this.db.close();
  }

  // ---- internals ----

  private workspaceRow(slug: string): WorkspaceRow | undefined {
    return this.statement<[string], WorkspaceRow>("SELECT * FROM workspaces WHERE slug = ?").get(slug);
  }

  private requireWorkspaceRow(slug: string): WorkspaceRow {
    const row = this.workspaceRow(slug);
    if (!row) throw new ZhikuError("not_found:workspace", `No workspace "${slug}"`);
    return row;
  }

  private documentByName(workspaceId: string, name: string): DocumentRow | undefined {
    return this.statement<[string, string], DocumentRow>(
      "SELECT * FROM documents WHERE workspace_id = ? AND name = ?",
    ).get(workspaceId, name);
  }

  private requireDocumentById(documentId: string): DocumentRecord {
    const row = this.statement<[string], DocumentRow>("SELECT * FROM documents WHERE id = ?").get(documentId);
    if (!row) throw new ZhikuError("not_found:document", `No document with id ${documentId}`);
    return toDocument(row);
  }

  private documentNames(workspaceId: string, documentIds: string[]): Map<string, string> {
    if (documentIds.length === 0) return new Map();
    // The ids go in as one JSON array, so there is one statement whatever their number.
    const rows = this.statement<[string, string], { id: string; name: string }>(
      "SELECT id, name FROM documents WHERE workspace_id = ? AND id IN (SELECT value FROM json_each(?))",
    ).all(workspaceId, JSON.stringify(documentIds));
    return new Map(rows.map((row) => [row.id, row.name]));
  }

  /** The prepared statement for `source`, prepared once per knowledge base. */
  private statement<Parameters extends unknown[] = unknown[], Result = unknown>(
    source: string,
  ): Statement<Parameters, Result> {
    let prepared = this.statements.get(source);
    if (!prepared) {
      prepared = this.db.prepare(source);
      this.statements.set(source, prepared);
    }
    return prepared as Statement<Parameters, Result>;
  }

  /** Fingerprints of `fingerprints` that enough other documents of the workspace share to count as boilerplate. */
  private boilerplateAmong(workspaceId: string, documentId: string, fingerprints: string[]): Set<string> {
    if (fingerprints.length === 0) return new Set();
    // One query for the whole document: the fingerprints go in as a JSON array.
    const shared = this.statement<[string, string, string, number], { fingerprint: string }>(
      `SELECT fingerprint FROM line_fingerprints
         WHERE workspace_id = ? AND document_id != ? AND fingerprint IN (SELECT value FROM json_each(?))
         GROUP BY fingerprint HAVING COUNT(*) + 1 >= ?`,
    ).all(workspaceId, documentId, JSON.stringify(fingerprints), this.boilerplateMinDocuments);
    // This document plus the others that carry the line.
    return new Set(shared.map((row) => row.fingerprint));
  }

  /**
   * The workspace's chunk table for the current embedder, created (and the model recorded) on first use.
   * Vectors of another model are never mixed in: a workspace that holds them fails with `conflict:embedding_model`.
   */
  private async ensureEmbeddingTable(workspace: WorkspaceRow): Promise<string> {
    const fresh = this.statement<[string], WorkspaceRow>("SELECT * FROM workspaces WHERE id = ?").get(
      workspace.id,
    )!;
    if (fresh.embed_model && fresh.embed_model !== this.embedder.model) {
      throw new ZhikuError(
        "conflict:embedding_model",
        `Workspace "${fresh.slug}" holds vectors of ${fresh.embed_model} (${fresh.embed_dimension} dimensions) but EMBED_MODEL is ${this.embedder.model}: run zhiku reembed --workspace ${fresh.slug} to re-embed it, or set EMBED_MODEL=${fresh.embed_model}`,
      );
    }
    const dimension = await this.embedder.dimension();
    if (fresh.embed_dimension !== null && fresh.embed_dimension !== dimension) {
      throw new ZhikuError(
        "conflict:embedding_model",
        `Workspace "${fresh.slug}" holds ${fresh.embed_dimension}-dimension vectors but ${this.embedder.model} now returns ${dimension}: run zhiku reembed --workspace ${fresh.slug}`,
      );
    }
    const table = fresh.chunk_table ?? `chunks_${fresh.id.replaceAll("-", "")}_1`;
    await this.chunks.ensureTable(table, dimension);
    if (!fresh.chunk_table) {
      this.statement(
        "UPDATE workspaces SET embed_model = ?, embed_dimension = ?, chunk_table = ?, updated_at = ? WHERE id = ? AND chunk_table IS NULL",
      ).run(this.embedder.model, dimension, table, now(), fresh.id);
    }
    workspace.chunk_table = table;
    return table;
  }

  private async removeUnreferencedFiles(hashes: string[]): Promise<void> {
    const referenced = this.statement("SELECT 1 FROM documents WHERE file_hash = ? LIMIT 1");
    for (const hash of hashes) {
      if (!referenced.get(hash)) await this.files.remove(hash);
    }
  }
}

/** Opens the knowledge base under `options.dataDir`; see {@link KnowledgeBase}. */
export function openKnowledgeBase(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
  return KnowledgeBase.open(options);
}
