import { randomUUID } from "node:crypto";
import { isZhikuError, ZhikuError } from "../errors.js";
import type { ParsedDocument } from "../types.js";
import type { ChunkStore, StoredChunk } from "./chunk-store.js";
import type { DocumentRepository, DocumentRow } from "./document-repository.js";
import type { FileStore } from "./file-store.js";
import type { FingerprintRepository } from "./fingerprint-repository.js";
import { now, type StatementCache } from "./statements.js";
import type { WorkspaceRepository, WorkspaceRow } from "./workspace-repository.js";

/** A version of a document being ingested: its row is `processing`, nothing of it is written yet. */
export interface PendingVersion {
  documentId: string;
  workspaceId: string;
  /** Source name, for error messages. */
  name: string;
  /** The original file's bytes. */
  bytes: Uint8Array;
  /** SHA-256 of `bytes`: the version. */
  contentHash: string;
  /** Whether the server queued the document (its row stays, `failed`, when the version fails). */
  queued: boolean;
  /** Cancels the ingestion. */
  signal?: AbortSignal;
  /** Whether an earlier version was stored. */
  hadVersion: boolean;
  /** Whether LanceDB may hold chunks of this document (a stored version, or a write cut off by a crash). */
  mayHaveChunks: boolean;
}

/** A version parsed, chunked and embedded, ready to be written. */
export interface StagedDocument extends PendingVersion {
  /** The workspace's chunk table. */
  table: string;
  stored: StoredChunk[];
  /** Fingerprints of the document's edge lines (boilerplate detection of later documents). */
  fingerprints: string[];
  parsed: ParsedDocument;
}

/** Options for {@link DocumentWriter.begin}. */
export interface BeginVersionOptions
  extends Omit<PendingVersion, "documentId" | "hadVersion" | "mayHaveChunks"> {
  /** The document's row, when it exists. */
  existing: DocumentRow | undefined;
}

/**
 * Owns every write that spans LanceDB, SQLite and the file store, in the order that keeps them consistent when the
 * process dies half-way: a document's chunks and its row, a version's `pending_hash`, and deletions.
 */
export interface DocumentWriter {
  /** Marks the document `processing` (creating its row when new): the start of a version. */
  begin(options: BeginVersionOptions): PendingVersion;
  /**
   * Writes staged documents: chunks of documents that cannot have any stored yet are appended in one commit;
   * the others replace their old chunks one merge-insert commit each; then one SQLite transaction makes them
   * ready. `pending_hash` marks a write in progress, so after a crash the retry replaces whatever was written.
   */
  write(table: string, documents: StagedDocument[]): Promise<void>;
  /**
   * Records why a version failed and returns the error to report: a document that never had a stored version is
   * removed unless the server queued it; otherwise it is left `failed` with the reason.
   */
  recordFailure(version: PendingVersion, error: unknown): unknown;
  /** Deletes a document, its chunks and full-text entries, and its original unless another document has it. */
  deleteDocument(workspace: WorkspaceRow, document: DocumentRow): Promise<void>;
  /** Deletes a workspace with its documents, chunks and vectors, and the originals no other document has. */
  deleteWorkspace(workspace: WorkspaceRow): Promise<void>;
}

/** What {@link createDocumentWriter} needs. */
export interface DocumentWriterSetup {
  /** Runs a function in one SQLite transaction (`db.transaction(fn)()`). */
  transaction: (work: () => void) => void;
  statement: StatementCache;
  workspaces: WorkspaceRepository;
  documents: DocumentRepository;
  fingerprints: FingerprintRepository;
  chunks: ChunkStore;
  files: FileStore;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The {@link DocumentWriter} of one knowledge base. */
export function createDocumentWriter(setup: DocumentWriterSetup): DocumentWriter {
  const { transaction, statement, workspaces, documents, fingerprints, chunks, files } = setup;

  const removeUnreferencedFiles = async (hashes: string[]) => {
    for (const hash of hashes) {
      if (!documents.isFileReferenced(hash)) await files.remove(hash);
    }
  };

  return {
    begin({ existing, ...version }) {
      const pending: PendingVersion = {
        ...version,
        documentId: existing?.id ?? randomUUID(),
        hadVersion: existing?.content_hash != null,
        // Chunks of this document may be in LanceDB if a version was stored, or a write was cut off (see pending_hash).
        mayHaveChunks: existing?.content_hash != null || existing?.pending_hash != null,
      };
      const time = now();
      if (existing) {
        statement(
          "UPDATE documents SET status = 'processing', error = NULL, updated_at = ? WHERE id = ?",
        ).run(time, pending.documentId);
      } else {
        statement(
          `INSERT INTO documents (id, workspace_id, name, bytes, status, created_at, updated_at)
             VALUES (?, ?, ?, ?, 'processing', ?, ?)`,
        ).run(pending.documentId, pending.workspaceId, pending.name, pending.bytes.byteLength, time, time);
      }
      return pending;
    },

    async write(table, staged) {
      const markPending = statement("UPDATE documents SET pending_hash = ? WHERE id = ?");
      transaction(() => {
        for (const document of staged) markPending.run(document.contentHash, document.documentId);
      });
      await chunks.appendChunks(
        table,
        staged.filter((document) => !document.mayHaveChunks).flatMap((document) => document.stored),
      );
      for (const document of staged.filter((candidate) => candidate.mayHaveChunks)) {
        await chunks.replaceDocument(table, document.documentId, document.stored);
      }
      const fileHashes = new Map<string, string>();
      for (const document of staged) {
        fileHashes.set(document.documentId, await files.put(document.bytes));
      }
      const update = statement(
        `UPDATE documents SET type = ?, bytes = ?, content_hash = ?, file_hash = ?, pending_hash = NULL, status = 'ready',
           error = NULL, chunks = ?, title = ?, byline = ?, pages = ?, updated_at = ? WHERE id = ?`,
      );
      transaction(() => {
        for (const document of staged) {
          const { parsed } = document;
          update.run(
            parsed.type,
            document.bytes.byteLength,
            document.contentHash,
            fileHashes.get(document.documentId)!,
            document.stored.length,
            parsed.title ?? null,
            parsed.byline ?? null,
            parsed.pages ?? null,
            now(),
            document.documentId,
          );
          fingerprints.replace(document.workspaceId, document.documentId, document.fingerprints);
        }
      });
      await chunks.maintain(table);
    },

    recordFailure(version, error) {
      const failure = isZhikuError(error)
        ? error
        : version.signal?.aborted
          ? new ZhikuError("invalid:input", `${version.name}: ingestion was cancelled`, { cause: error })
          : error;
      // A row is removed only while nothing of it can be in LanceDB (no version, no write begun).
      const removed =
        !version.hadVersion &&
        !version.queued &&
        statement("DELETE FROM documents WHERE id = ? AND pending_hash IS NULL").run(version.documentId)
          .changes > 0;
      if (!removed) {
        statement("UPDATE documents SET status = 'failed', error = ?, updated_at = ? WHERE id = ?").run(
          errorMessage(failure),
          now(),
          version.documentId,
        );
      }
      return failure;
    },

    async deleteDocument(workspace, document) {
      // Chunks first: if the process dies in between, a document row without chunks is visible and can be deleted again.
      if (workspace.chunk_table) await chunks.deleteDocument(workspace.chunk_table, document.id);
      documents.remove(document.id);
      if (document.file_hash) await removeUnreferencedFiles([document.file_hash]);
    },

    async deleteWorkspace(workspace) {
      const fileHashes = documents.fileHashesOf(workspace.id);
      workspaces.remove(workspace.id);
      if (workspace.chunk_table) await chunks.dropTable(workspace.chunk_table);
      await removeUnreferencedFiles(fileHashes);
    },
  };
}
