import { randomUUID } from "node:crypto";
import { ZhikuError } from "../errors.js";
import type { DocumentType } from "../types.js";
import { now, type StatementCache } from "./statements.js";

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

/** A `documents` row as stored (inside the ingest package only). */
export interface DocumentRow {
  id: string;
  /** Content hash of a chunk write in progress (see the document writer); null when none is. */
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

/** Document rows in SQLite. The writes of an ingestion (versions, `pending_hash`) belong to the document writer. */
export interface DocumentRepository {
  /** Documents of a workspace, by name. */
  list(workspaceId: string): DocumentRecord[];
  /** One document of a workspace, if any. */
  get(workspaceId: string, documentId: string): DocumentRecord | undefined;
  /** One document of a workspace as stored, if any. */
  findRow(workspaceId: string, documentId: string): DocumentRow | undefined;
  /** The document of a workspace with this source name, as stored, if any. */
  findRowByName(workspaceId: string, name: string): DocumentRow | undefined;
  /** The document with this id; fails with `not_found:document`. */
  requireById(documentId: string): DocumentRecord;
  /** Content hash of the original file of a document's latest upload. */
  fileHash(documentId: string): string | null;
  /** Records an upload to be ingested later (a new row, or the same-name row marked `queued`). */
  queue(input: { workspaceId: string; name: string; bytes: number; fileHash: string }): DocumentRecord;
  /** Sets a document's status (and error, for `failed`); fails with `not_found:document`. */
  setStatus(documentId: string, status: DocumentStatus, error?: string | null): DocumentRecord;
  /** Names of the documents of a workspace among `documentIds`; ids without a row are left out. */
  names(workspaceId: string, documentIds: string[]): Map<string, string>;
  /** The original files the documents of a workspace refer to. */
  fileHashesOf(workspaceId: string): string[];
  /** Whether any document of any workspace refers to this original file. */
  isFileReferenced(fileHash: string): boolean;
  /** Deletes the row (its line fingerprints go with it). */
  remove(documentId: string): void;
  /** Documents of all workspaces by status. */
  countByStatus(): Record<DocumentStatus, number>;
}

/** The {@link DocumentRepository} of one database. */
export function createDocumentRepository(statement: StatementCache): DocumentRepository {
  const findRowByName = (workspaceId: string, name: string) =>
    statement<[string, string], DocumentRow>(
      "SELECT * FROM documents WHERE workspace_id = ? AND name = ?",
    ).get(workspaceId, name);
  const rowById = (documentId: string) =>
    statement<[string], DocumentRow>("SELECT * FROM documents WHERE id = ?").get(documentId);

  const findRow = (workspaceId: string, documentId: string) =>
    statement<[string, string], DocumentRow>("SELECT * FROM documents WHERE id = ? AND workspace_id = ?").get(
      documentId,
      workspaceId,
    );

  return {
    findRow,
    findRowByName,

    get(workspaceId, documentId) {
      const row = findRow(workspaceId, documentId);
      return row ? toDocument(row) : undefined;
    },

    list(workspaceId) {
      return statement<[string], DocumentRow>("SELECT * FROM documents WHERE workspace_id = ? ORDER BY name")
        .all(workspaceId)
        .map(toDocument);
    },

    requireById(documentId) {
      const row = rowById(documentId);
      if (!row) throw new ZhikuError("not_found:document", `No document with id ${documentId}`);
      return toDocument(row);
    },

    fileHash(documentId) {
      const row = statement<[string], { file_hash: string | null }>(
        "SELECT file_hash FROM documents WHERE id = ?",
      ).get(documentId);
      return row?.file_hash ?? null;
    },

    queue(input) {
      const time = now();
      statement(
        `INSERT INTO documents (id, workspace_id, name, bytes, file_hash, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, 'queued', ?, ?)
           ON CONFLICT (workspace_id, name) DO UPDATE SET
             bytes = excluded.bytes, file_hash = excluded.file_hash, status = 'queued', error = NULL, updated_at = excluded.updated_at`,
      ).run(randomUUID(), input.workspaceId, input.name, input.bytes, input.fileHash, time, time);
      return toDocument(findRowByName(input.workspaceId, input.name)!);
    },

    setStatus(documentId, status, error = null) {
      const result = statement("UPDATE documents SET status = ?, error = ?, updated_at = ? WHERE id = ?").run(
        status,
        error,
        now(),
        documentId,
      );
      if (result.changes === 0)
        throw new ZhikuError("not_found:document", `No document with id ${documentId}`);
      return toDocument(rowById(documentId)!);
    },

    names(workspaceId, documentIds) {
      if (documentIds.length === 0) return new Map();
      // The ids go in as one JSON array, so there is one statement whatever their number.
      const rows = statement<[string, string], { id: string; name: string }>(
        "SELECT id, name FROM documents WHERE workspace_id = ? AND id IN (SELECT value FROM json_each(?))",
      ).all(workspaceId, JSON.stringify(documentIds));
      return new Map(rows.map((row) => [row.id, row.name]));
    },

    fileHashesOf(workspaceId) {
      return statement<[string], { file_hash: string }>(
        "SELECT DISTINCT file_hash FROM documents WHERE workspace_id = ? AND file_hash IS NOT NULL",
      )
        .all(workspaceId)
        .map((document) => document.file_hash);
    },

    isFileReferenced(fileHash) {
      return statement("SELECT 1 FROM documents WHERE file_hash = ? LIMIT 1").get(fileHash) !== undefined;
    },

    remove(documentId) {
      statement("DELETE FROM documents WHERE id = ?").run(documentId);
    },

    countByStatus() {
      const counts: Record<DocumentStatus, number> = { queued: 0, processing: 0, ready: 0, failed: 0 };
      const rows = statement<[], { status: DocumentStatus; count: number }>(
        "SELECT status, COUNT(*) AS count FROM documents GROUP BY status",
      ).all();
      for (const row of rows) counts[row.status] = row.count;
      return counts;
    },
  };
}
