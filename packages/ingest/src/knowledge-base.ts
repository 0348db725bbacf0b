import type { Database } from "better-sqlite3";
import { ZhikuError } from "./errors.js";
import type { KnowledgeBaseOptions } from "./knowledge-base-options.js";
import { defaultSteps } from "./pipeline/default-steps.js";
import type { IngestOptions, IngestOutcome } from "./pipeline/ingest-types.js";
import { createIngestion, type Ingestion } from "./pipeline/ingestion.js";
import { prepareDocument } from "./pipeline/prepare-document.js";
import type { ChunkRecord } from "./record-schemas.js";
import { calibrateRelevance, needsCalibration } from "./refuse/calibrate-relevance.js";
import type { RelevanceCalibration } from "./refuse/relevance.js";
import { type ChunkSearch, createChunkSearch } from "./search/chunk-search.js";
import { createRetriever, type Retriever } from "./search/retriever.js";
import type { SearchOptions, SearchResponse } from "./search/search-types.js";
import { type ChunkStore, openChunkStore } from "./store/chunk-store.js";
import { dataLayout } from "./store/data-layout.js";
import {
  createDocumentRepository,
  type DocumentRecord,
  type DocumentRepository,
  type DocumentStatus,
} from "./store/document-repository.js";
import { createDocumentWriter, type DocumentWriter } from "./store/document-writer.js";
import { createEmbeddingTables } from "./store/embedding-table.js";
import { createFileStore, type FileStore } from "./store/file-store.js";
import { createFingerprintRepository } from "./store/fingerprint-repository.js";
import { openMetadataDb } from "./store/metadata-db.js";
import { reembedWorkspace } from "./store/reembed-workspace.js";
import { createStatementCache } from "./store/statements.js";
import {
  calibrationOf,
  createWorkspaceRepository,
  type WorkspaceRecord,
  type WorkspaceRepository,
  type WorkspaceSettings,
} from "./store/workspace-repository.js";
import type { Embedder } from "./types.js";

// The types of the facade's methods, so its callers need one import.
export type { KnowledgeBaseOptions } from "./knowledge-base-options.js";
export type { IngestOptions, IngestOutcome, IngestProgress } from "./pipeline/ingest-types.js";
// Declared once, as zod schemas the server describes its API with.
export type { ChunkRecord, RerankSummary, SearchResult } from "./record-schemas.js";
export type { SearchMode, SearchOptions, SearchResponse } from "./search/search-types.js";
export type { DocumentRecord, DocumentStatus } from "./store/document-repository.js";
export type { WorkspaceRecord, WorkspaceSettings } from "./store/workspace-repository.js";

/** The parts a {@link KnowledgeBase} is made of, built by {@link openKnowledgeBase}. */
interface KnowledgeBaseParts {
  dataDir: string;
  db: Database;
  files: FileStore;
  embedder: Embedder;
  chunks: ChunkStore;
  workspaces: WorkspaceRepository;
  documents: DocumentRepository;
  writer: DocumentWriter;
  ingestion: Ingestion;
  chunkSearch: ChunkSearch;
  retriever: Retriever;
}

/**
 * Workspaces, documents and their chunks: metadata in SQLite, chunks and vectors in LanceDB, originals in a
 * content-addressed file store, all under one data dir that the CLI and the server share. A facade: the work is
 * done by the repositories and the document writer (`store/`), the pipeline (`pipeline/`) and the retriever
 * (`search/`).
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
  private readonly parts: KnowledgeBaseParts;

  private constructor(parts: KnowledgeBaseParts) {
    this.dataDir = parts.dataDir;
    this.db = parts.db;
    this.files = parts.files;
    this.embedder = parts.embedder;
    this.parts = parts;
  }

  /** Opens the knowledge base under `options.dataDir`, creating and migrating what is missing. */
  static async open(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
    const layout = dataLayout(options.dataDir);
    const db = openMetadataDb(layout.database);
    let chunks: ChunkStore | undefined;
    try {
      chunks = await openChunkStore({ directory: layout.lancedb, vectorIndex: options.vectorIndex });
      const statement = createStatementCache(db);
      const files = createFileStore(layout.files);
      const { embedder } = options;
      const workspaces = createWorkspaceRepository(statement);
      const documents = createDocumentRepository(statement);
      const fingerprints = createFingerprintRepository(statement, {
        minDocuments: options.boilerplateMinDocuments ?? 3,
      });
      const writer = createDocumentWriter({
        transaction: (work) => db.transaction(work)(),
        statement,
        workspaces,
        documents,
        fingerprints,
        chunks,
        files,
      });
      const chunkSearch = createChunkSearch({ store: chunks, fusion: options.fusion });
      const steps = defaultSteps({
        embedder,
        prepare: options.prepare ?? prepareDocument,
        ...(options.ocr ? { ocr: options.ocr } : {}),
        embeddingTable: createEmbeddingTables({ workspaces, chunks, embedder }),
        sharedFingerprints: (workspaceId, documentId, lines) =>
          fingerprints.shared(workspaceId, documentId, lines),
        headingContext: options.headingContext ?? true,
      });
      return new KnowledgeBase({
        dataDir: options.dataDir,
        db,
        files,
        embedder,
        chunks,
        workspaces,
        documents,
        writer,
        ingestion: createIngestion({
          steps,
          workspaces,
          documents,
          writer,
          embedder,
          chunkOptions: options.chunkOptions,
        }),
        chunkSearch,
        retriever: createRetriever({
          workspaces,
          documents,
          embedder,
          chunks: chunkSearch,
          ...(options.reranker === undefined ? {} : { reranker: options.reranker }),
        }),
      });
    } catch (error) {
      chunks?.close();
      db.close();
      throw error;
    }
  }

  // ---- workspaces ----

  /** Every workspace, by name. */
  listWorkspaces(): WorkspaceRecord[] {
    return this.parts.workspaces.list();
  }

  /** The workspace with this slug, if any. */
  getWorkspace(slug: string): WorkspaceRecord | undefined {
    return this.parts.workspaces.get(slug);
  }

  /** The workspace with this id, if any (server rows refer to workspaces by id). */
  getWorkspaceById(id: string): WorkspaceRecord | undefined {
    return this.parts.workspaces.getById(id);
  }

  /** The workspace with this slug; fails with `not_found:workspace`. */
  requireWorkspace(slug: string): WorkspaceRecord {
    return this.parts.workspaces.require(slug);
  }

  /** Creates a workspace; the slug is derived from the name unless given. Fails with `conflict:workspace`. */
  createWorkspace(input: { name: string; slug?: string; settings?: WorkspaceSettings }): WorkspaceRecord {
    return this.parts.workspaces.create(input);
  }

  /** Renames a workspace or replaces fields of its settings (a field set to null is removed). */
  updateWorkspace(slug: string, patch: { name?: string; settings?: WorkspaceSettings }): WorkspaceRecord {
    return this.parts.workspaces.update(slug, patch);
  }

  /** Deletes a workspace with its documents, chunks and vectors. */
  async deleteWorkspace(slug: string): Promise<void> {
    await this.parts.writer.deleteWorkspace(this.parts.workspaces.requireRow(slug));
  }

  // ---- documents ----

  /** Documents of a workspace, by name. */
  listDocuments(workspace: string): DocumentRecord[] {
    return this.parts.documents.list(this.parts.workspaces.requireRow(workspace).id);
  }

  /** One document of a workspace, if any. */
  getDocument(workspace: string, documentId: string): DocumentRecord | undefined {
    return this.parts.documents.get(this.parts.workspaces.requireRow(workspace).id, documentId);
  }

  /** Documents of all workspaces by status (the server's metrics). */
  countDocumentsByStatus(): Record<DocumentStatus, number> {
    return this.parts.documents.countByStatus();
  }

  /** Content hash of the original file of a document's latest upload, for downloads and re-ingestion. */
  documentFileHash(documentId: string): string | null {
    return this.parts.documents.fileHash(documentId);
  }

  /**
   * Records an upload to be ingested later: a new document row with status `queued`, or an existing same-name
   * document marked `queued` (its current chunks stay searchable until the new version replaces them).
   */
  queueDocument(input: { workspace: string; name: string; bytes: number; fileHash: string }): DocumentRecord {
    const workspace = this.parts.workspaces.requireRow(input.workspace);
    return this.parts.documents.queue({
      workspaceId: workspace.id,
      name: input.name,
      bytes: input.bytes,
      fileHash: input.fileHash,
    });
  }

  /** Sets a document's status (and error, for `failed`). */
  setDocumentStatus(documentId: string, status: DocumentStatus, error: string | null = null): DocumentRecord {
    return this.parts.documents.setStatus(documentId, status, error);
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
  ingestBatch(
    items: (IngestOptions & { documentId?: string })[],
  ): Promise<(IngestOutcome | { error: unknown })[]> {
    return this.parts.ingestion.ingestBatch(items);
  }

  /** A document's stored chunks in order (the chunk viewer). */
  async listChunks(workspace: string, documentId: string): Promise<ChunkRecord[]> {
    const row = this.parts.workspaces.requireRow(workspace);
    if (!this.parts.documents.findRow(row.id, documentId))
      throw new ZhikuError("not_found:document", `No document ${documentId} in workspace "${workspace}"`);
    if (!row.chunk_table) return [];
    const chunks = await this.parts.chunks.listChunks(row.chunk_table, documentId);
    return chunks.map(({ indexText: _indexText, ...chunk }) => chunk);
  }

  /** Deletes a document, its chunks and full-text entries, and its original file unless another document has it. */
  async deleteDocument(workspace: string, documentId: string): Promise<void> {
    const row = this.parts.workspaces.requireRow(workspace);
    const document = this.parts.documents.findRow(row.id, documentId);
    if (!document)
      throw new ZhikuError("not_found:document", `No document ${documentId} in workspace "${workspace}"`);
    await this.parts.writer.deleteDocument(row, document);
  }

  /** Searches a workspace; hybrid (vector + full text, fused by reciprocal rank) unless another mode is asked for. */
  search(options: SearchOptions): Promise<SearchResponse> {
    return this.parts.retriever.search(options);
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
    const { workspaces, chunks, embedder } = this.parts;
    const done = await reembedWorkspace({
      workspaces,
      chunks,
      embedder,
      workspace,
      onProgress: options.onProgress,
    });
    // The old calibration was of the old model's cosine scale: measure the new one before anyone is refused by it.
    await this.refreshRelevanceCalibration(workspace);
    return done;
  }

  /**
   * Measures what off-topic questions score in a workspace (see `calibrateRelevance`) when it has no measurement
   * for its embedding model yet or has doubled or halved in chunks since, and stores it; query mode's cut-off is
   * derived from it. Run after a batch of ingestions (with {@link optimize}) and after re-embedding. Returns the
   * calibration in force, or null for a workspace without chunks or whose vectors are of another model than the
   * embedder's (its probes cannot be embedded comparably).
   * @throws ZhikuError `unavailable:ollama` and the embedder's other errors; the stored calibration is unchanged.
   */
  async refreshRelevanceCalibration(
    workspace: string,
    options: { force?: boolean } = {},
  ): Promise<RelevanceCalibration | null> {
    const { workspaces, chunks, chunkSearch, embedder } = this.parts;
    const row = workspaces.findRow(workspace);
    if (!row?.chunk_table || row.embed_model !== embedder.model) return null;
    const table = row.chunk_table;
    const chunkCount = await chunks.countRows(table);
    if (chunkCount === 0) return null;
    const stored = calibrationOf(row);
    if (!options.force && stored && !needsCalibration(stored, { model: embedder.model, chunks: chunkCount }))
      return stored;
    const calibration = await calibrateRelevance({ chunks: chunkSearch, table, chunkCount, embedder });
    workspaces.setRelevanceCalibration(row.id, table, calibration);
    return calibration;
  }

  /**
   * Folds a workspace's recently stored chunks into its full-text and vector indexes. Run after a batch of
   * ingestions (the CLI does at its end, the server when its queue goes idle); until then the newest chunks are
   * found by vector search but ranked poorly by full-text search.
   */
  async optimize(workspace: string): Promise<void> {
    const row = this.parts.workspaces.findRow(workspace);
    if (row?.chunk_table) await this.parts.chunks.maintain(row.chunk_table, { force: true });
  }

  /**
   * How many of a workspace's chunks its full-text index has not taken in yet: more than 0 after a run stopped
   * before its {@link optimize} (a crash, or a stop during the fold). 0 for an unknown or empty workspace.
   */
  async unfoldedChunks(workspace: string): Promise<number> {
    const row = this.parts.workspaces.findRow(workspace);
    return row?.chunk_table ? this.parts.chunks.unfoldedRows(row.chunk_table) : 0;
  }

  /** Closes the database handles. */
  async close(): Promise<void> {
    this.parts.chunks.close();
    this.db.close();
  }
}

/** Opens the knowledge base under `options.dataDir`; see {@link KnowledgeBase}. The one opener of the package. */
export function openKnowledgeBase(options: KnowledgeBaseOptions): Promise<KnowledgeBase> {
  return KnowledgeBase.open(options);
}
