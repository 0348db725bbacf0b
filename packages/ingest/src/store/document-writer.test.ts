import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Database } from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type ChunkStore, openChunkStore } from "./chunk-store.js";
import { createDocumentRepository, type DocumentRepository } from "./document-repository.js";
import { createDocumentWriter, type DocumentWriter, type PendingVersion } from "./document-writer.js";
import { createFileStore, type FileStore, hashBytes } from "./file-store.js";
import { createFingerprintRepository } from "./fingerprint-repository.js";
import { openMetadataDb } from "./metadata-db.js";
import { createStatementCache } from "./statements.js";
import { chunk } from "./test-support.js";
import { createWorkspaceRepository } from "./workspace-repository.js";

const bytes = new TextEncoder().encode("版本一");

describe("document writer", () => {
  let directory: string;
  let db: Database;
  let chunks: ChunkStore;
  let files: FileStore;
  let documents: DocumentRepository;
  let writer: DocumentWriter;
  let workspaceId: string;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-writer-"));
    db = openMetadataDb(join(directory, "zhiku.db"));
    chunks = await openChunkStore({ directory: join(directory, "lancedb") });
    await chunks.ensureTable("chunks", 3);
    files = createFileStore(join(directory, "files"));
    const statement = createStatementCache(db);
    const workspaces = createWorkspaceRepository(statement);
    documents = createDocumentRepository(statement);
    workspaceId = workspaces.create({ name: "w" }).id;
    writer = createDocumentWriter({
      transaction: (work) => db.transaction(work)(),
      statement,
      workspaces,
      documents,
      fingerprints: createFingerprintRepository(statement, { minDocuments: 3 }),
      chunks,
      files,
    });
  });

  afterEach(async () => {
    chunks.close();
    db.close();
    await rm(directory, { recursive: true, force: true });
  });

  const begin = (queued = false): PendingVersion =>
    writer.begin({
      existing: documents.findRowByName(workspaceId, "a.md"),
      workspaceId,
      name: "a.md",
      bytes,
      contentHash: hashBytes(bytes),
      queued,
    });

  const staged = (version: PendingVersion) => ({
    ...version,
    table: "chunks",
    fingerprints: [],
    parsed: { type: "markdown" as const, text: "版本一", sections: [] },
    stored: [{ ...chunk("c1", "版本一", [1, 0, 0]), documentId: version.documentId }],
  });

  it("removes the row of a new document that failed before any write", () => {
    const version = begin();
    expect(documents.list(workspaceId).map((document) => document.status)).toEqual(["processing"]);
    writer.recordFailure(version, new Error("parse failed"));
    expect(documents.list(workspaceId)).toEqual([]);
  });

  it("keeps a queued document, failed with the reason", () => {
    writer.recordFailure(begin(true), new Error("parse failed"));
    expect(documents.list(workspaceId)).toMatchObject([{ status: "failed", error: "parse failed" }]);
  });

  it("keeps pending_hash after a write cut off, so the retry replaces the chunks instead of adding them", async () => {
    const first = begin();
    expect(first.mayHaveChunks).toBe(false);
    const put = files.put;
    files.put = async () => {
      throw new Error("disk full");
    };
    await expect(writer.write("chunks", [staged(first)])).rejects.toThrow("disk full");
    files.put = put;
    writer.recordFailure(first, new Error("disk full"));
    // The chunks are in LanceDB, so the row stays and says why.
    expect(documents.list(workspaceId)).toMatchObject([{ status: "failed", error: "disk full" }]);

    const retry = begin();
    expect(retry).toMatchObject({ documentId: first.documentId, hadVersion: false, mayHaveChunks: true });
    await writer.write("chunks", [staged(retry)]);
    expect(await chunks.listChunks("chunks", retry.documentId)).toHaveLength(1);
    const [document] = documents.list(workspaceId);
    expect(document).toMatchObject({ status: "ready", chunks: 1, contentHash: hashBytes(bytes) });
    expect(begin().mayHaveChunks).toBe(true);
  });
});
