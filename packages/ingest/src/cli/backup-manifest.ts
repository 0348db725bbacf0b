import * as lancedb from "@lancedb/lancedb";
import BetterSqlite3 from "better-sqlite3";
import { ZhikuError } from "../errors.js";
import { dataLayout } from "../store/data-layout.js";
import { createFileStore } from "../store/file-store.js";

/** Name of the manifest at the root of a backup archive. */
export const MANIFEST_FILE = "manifest.json";

/** Identifies Zhiku backup archives. */
export const BACKUP_FORMAT = "zhiku-backup";

/** Version of the archive layout; `zhiku restore` refuses versions it does not know. */
export const BACKUP_FORMAT_VERSION = 1;

/** What a data dir holds, as counted in a backup's manifest and checked again after a restore. */
export interface BackupCounts {
  /** Rows of the `workspaces` table. */
  workspaces: number;
  /** Rows of the `documents` table. */
  documents: number;
  /** Chunk rows in the LanceDB tables the workspaces point to. */
  chunks: number;
  /** Original files the documents reference that are present in the file store. */
  files: number;
  /** Original files the documents reference that are missing (a document deleted while the backup ran). */
  missingFiles: number;
}

/** `manifest.json` of a backup archive. */
export interface BackupManifest {
  format: typeof BACKUP_FORMAT;
  formatVersion: number;
  /** When the SQLite snapshot was taken (ISO 8601). */
  createdAt: string;
  /** Contents of the archive relative to its root: the SQLite file and the LanceDB and file-store folders. */
  contents: string[];
  counts: BackupCounts;
  /** Version of each LanceDB table that the snapshot holds. */
  lancedbTables: Record<string, number>;
  /** Applied schema migrations per scope, so a newer server knows what it restores. */
  schemaVersions: Record<string, number>;
}

/** Checks that `value` is a manifest this version of Zhiku can restore; throws naming the problem. */
export function parseManifest(value: unknown, source: string): BackupManifest {
  const manifest = value as Partial<BackupManifest> | null;
  if (!manifest || typeof manifest !== "object" || manifest.format !== BACKUP_FORMAT) {
    throw new ZhikuError("invalid:backup", `${source}: ${MANIFEST_FILE} is not a Zhiku backup manifest`);
  }
  if (manifest.formatVersion !== BACKUP_FORMAT_VERSION) {
    throw new ZhikuError(
      "invalid:backup",
      `${source}: backup format version ${String(manifest.formatVersion)} is not supported (this zhiku reads version ${BACKUP_FORMAT_VERSION}); use the zhiku version that wrote it`,
    );
  }
  const counts = manifest.counts as Partial<BackupCounts> | undefined;
  for (const field of ["workspaces", "documents", "chunks", "files", "missingFiles"] as const) {
    if (typeof counts?.[field] !== "number")
      throw new ZhikuError("invalid:backup", `${source}: ${MANIFEST_FILE} lacks counts.${field}`);
  }
  return manifest as BackupManifest;
}

/**
 * Counts what a data dir holds: SQLite rows, chunk rows in the tables the workspaces use, and the referenced
 * original files. Opens its own read-only connections, so it works beside a running server.
 */
export async function countDataDir(dataDir: string): Promise<{
  counts: BackupCounts;
  schemaVersions: Record<string, number>;
}> {
  const layout = dataLayout(dataDir);
  const database = new BetterSqlite3(layout.database, { readonly: true, fileMustExist: true });
  let tables: string[];
  let fileHashes: string[];
  let counts: Omit<BackupCounts, "chunks" | "files" | "missingFiles">;
  let schemaVersions: Record<string, number>;
  try {
    counts = {
      workspaces: (database.prepare("SELECT COUNT(*) AS n FROM workspaces").get() as { n: number }).n,
      documents: (database.prepare("SELECT COUNT(*) AS n FROM documents").get() as { n: number }).n,
    };
    tables = (
      database.prepare("SELECT chunk_table FROM workspaces WHERE chunk_table IS NOT NULL").all() as {
        chunk_table: string;
      }[]
    ).map((row) => row.chunk_table);
    fileHashes = (
      database.prepare("SELECT DISTINCT file_hash FROM documents WHERE file_hash IS NOT NULL").all() as {
        file_hash: string;
      }[]
    ).map((row) => row.file_hash);
    schemaVersions = Object.fromEntries(
      (
        database
          .prepare("SELECT scope, MAX(version) AS version FROM schema_migrations GROUP BY scope")
          .all() as {
          scope: string;
          version: number;
        }[]
      ).map((row) => [row.scope, row.version]),
    );
  } finally {
    database.close();
  }

  let chunks = 0;
  if (tables.length > 0) {
    const connection = await lancedb.connect(layout.lancedb);
    try {
      const names = new Set(await connection.tableNames());
      for (const name of tables) {
        if (!names.has(name))
          throw new Error(`${layout.lancedb}: chunk table ${name} of a workspace is missing`);
        const table = await connection.openTable(name);
        chunks += await table.countRows();
        table.close();
      }
    } finally {
      connection.close();
    }
  }

  const fileStore = createFileStore(layout.files);
  const files = fileHashes.filter((hash) => fileStore.has(hash)).length;
  return { counts: { ...counts, chunks, files, missingFiles: fileHashes.length - files }, schemaVersions };
}
