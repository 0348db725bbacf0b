import { existsSync } from "node:fs";
import { copyFile, link, mkdir, mkdtemp, readdir, rename, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import * as lancedb from "@lancedb/lancedb";
import BetterSqlite3 from "better-sqlite3";
import { create as createTar } from "tar";
import { isZhikuError, ZhikuError } from "../errors.js";
import { dataLayout } from "../store/data-layout.js";
import {
  BACKUP_FORMAT,
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  countDataDir,
  MANIFEST_FILE,
} from "./backup-manifest.js";

/** Options for {@link createBackup}. */
export interface CreateBackupOptions {
  /** The data dir to back up (`DATA_DIR`); the server may keep running and writing. */
  dataDir: string;
  /** Where to write the `.tar.gz` archive; it must not exist yet. Written under a temporary name, then renamed. */
  archivePath: string;
  /** Where the staging copy is assembled before it is packed. Default the system's temporary directory. */
  temporaryDirectory?: string;
  /** Snapshots to try when a workspace is deleted while the backup runs. Default 3. */
  attempts?: number;
  /** Called (and awaited) as each step of a snapshot finishes. */
  onProgress?: (stage: BackupStage) => void | Promise<void>;
}

/** Steps of a snapshot, in order, as reported to {@link CreateBackupOptions.onProgress}. */
export type BackupStage =
  | "database-copied"
  | "versions-recorded"
  | "lancedb-copied"
  | "files-copied"
  | "packed";

/**
 * A snapshot went stale because a workspace was deleted while it was taken; taking it again fixes that.
 * (The code of the retryable {@link ZhikuError} that says so.)
 */
const SNAPSHOT_RACE = "conflict:snapshot";

/** Pages per SQLite backup step: everything in one step, so the copy is one read transaction (one point in time). */
const ALL_PAGES = 0x7fffffff;

/**
 * Copies a folder tree. Files that vanish while copying are skipped (the store removed them after the snapshot);
 * `linkFiles` hard-links instead of copying where possible, for folders whose files are never changed in place.
 */
async function copyTree(options: {
  source: string;
  target: string;
  linkFiles: boolean;
  skip?: (name: string) => boolean;
  /** Leave files that the target already has. */
  keepExisting?: boolean;
}): Promise<void> {
  await mkdir(options.target, { recursive: true });
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(options.source, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return;
    throw error;
  }
  for (const entry of entries) {
    if (options.skip?.(entry.name)) continue;
    const source = join(options.source, entry.name);
    const target = join(options.target, entry.name);
    if (entry.isDirectory()) {
      await copyTree({ ...options, source, target });
    } else if (entry.isFile()) {
      // Already there from an earlier pass (originals are never rewritten, so it is the same file).
      if (options.keepExisting && existsSync(target)) continue;
      try {
        if (options.linkFiles) {
          try {
            await link(source, target);
            continue;
          } catch (error) {
            const code = (error as NodeJS.ErrnoException).code;
            if (code !== "EXDEV" && code !== "EPERM" && code !== "EMLINK") throw error;
          }
        }
        await copyFile(source, target);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
      }
    }
  }
}

/** The current version of every LanceDB table under `directory`. */
async function currentTableVersions(directory: string): Promise<Record<string, number>> {
  if (!existsSync(directory)) return {};
  // Re-read the latest manifest on every call: other processes are writing.
  const connection = await lancedb.connect(directory, { readConsistencyInterval: 0 });
  try {
    const versions: Record<string, number> = {};
    for (const name of await connection.tableNames()) {
      try {
        const table = await connection.openTable(name);
        versions[name] = await table.version();
        table.close();
      } catch {
        // Dropped between listing and opening; if the SQLite snapshot still points to it, the attempt is retried.
      }
    }
    return versions;
  } finally {
    connection.close();
  }
}

/**
 * Brings each table of the staging copy back to the version recorded for it (tables created after the
 * recording are dropped). LanceDB never changes a version's files, so the copy holds every file of the
 * recorded version even if writers committed newer versions during the copy; `checkout` + `restore` makes
 * the recorded version the latest one again through LanceDB's own API, rather than deleting newer manifests by
 * their on-disk names, which are a LanceDB internal.
 */
async function pinTableVersions(directory: string, versions: Record<string, number>): Promise<void> {
  const connection = await lancedb.connect(directory);
  try {
    const names = await connection.tableNames();
    for (const name of names) {
      if (!(name in versions)) await connection.dropTable(name);
    }
    for (const [name, version] of Object.entries(versions)) {
      if (!names.includes(name))
        throw new ZhikuError(SNAPSHOT_RACE, `LanceDB table ${name} was dropped during the backup`, {
          retryable: true,
        });
      const table = await connection.openTable(name);
      try {
        if ((await table.version()) !== version) {
          await table.checkout(version);
          await table.restore();
        }
      } finally {
        table.close();
      }
    }
  } finally {
    connection.close();
  }
}

/**
 * One snapshot into `staging`. The order follows the order in which the knowledge base writes: an ingestion
 * stores chunks in LanceDB and the original file before it commits the document row in SQLite, and a deletion
 * removes chunks before the row. So SQLite is copied first (one read transaction: one point in time), then the
 * LanceDB versions are recorded: everything a committed row refers to is in them. What LanceDB holds beyond
 * that (chunks of an ingestion still running) is what a crash at that moment would leave, which the knowledge
 * base already tolerates (search skips chunks without a document row; a re-ingestion replaces them).
 * A deletion removes the original after the row, so a document deleted after the SQLite copy would take with it
 * the original of a row the copy holds: the originals are linked once before the SQLite copy (every row that
 * exists then has its original then) and once after it (for the documents stored in between).
 */
async function takeSnapshot(options: {
  dataDir: string;
  staging: string;
  onProgress: (stage: BackupStage) => void | Promise<void>;
}): Promise<BackupManifest> {
  const { dataDir, staging, onProgress } = options;
  const layout = dataLayout(dataDir);
  const createdAt = new Date().toISOString();
  // Originals are content-addressed and never rewritten, so hard links are safe where the file system allows.
  const copyOriginals = () =>
    copyTree({
      source: layout.files,
      target: join(staging, "files"),
      linkFiles: true,
      skip: (name) => name.endsWith(".tmp"),
      keepExisting: true,
    });
  await copyOriginals();
  const source = new BetterSqlite3(layout.database, { fileMustExist: true });
  try {
    source.pragma("busy_timeout = 10000");
    await source.backup(join(staging, "zhiku.db"), { progress: () => ALL_PAGES });
  } finally {
    source.close();
  }
  // A self-contained file: no -wal beside it in the archive. The server switches it back to WAL when it opens it.
  const snapshot = new BetterSqlite3(join(staging, "zhiku.db"));
  let referencedTables: string[];
  try {
    snapshot.pragma("journal_mode = DELETE");
    referencedTables = (
      snapshot.prepare("SELECT chunk_table FROM workspaces WHERE chunk_table IS NOT NULL").all() as {
        chunk_table: string;
      }[]
    ).map((row) => row.chunk_table);
  } finally {
    snapshot.close();
  }
  await onProgress("database-copied");

  const versions = await currentTableVersions(layout.lancedb);
  await onProgress("versions-recorded");
  for (const table of referencedTables) {
    if (!(table in versions))
      throw new ZhikuError(SNAPSHOT_RACE, `LanceDB table ${table} was dropped during the backup`, {
        retryable: true,
      });
  }
  await copyTree({ source: layout.lancedb, target: join(staging, "lancedb"), linkFiles: false });
  await pinTableVersions(join(staging, "lancedb"), versions);
  await onProgress("lancedb-copied");
  await copyOriginals();
  await onProgress("files-copied");

  const { counts, schemaVersions } = await countDataDir(staging);
  return {
    format: BACKUP_FORMAT,
    formatVersion: BACKUP_FORMAT_VERSION,
    createdAt,
    contents: ["zhiku.db", "lancedb", "files"],
    counts,
    lancedbTables: versions,
    schemaVersions,
  };
}

/**
 * Writes a consistent snapshot of a data dir (SQLite metadata, LanceDB chunks at one version per table, the
 * original files) to a gzipped tar archive with a `manifest.json`, while the server keeps running.
 * @returns the manifest written into the archive.
 */
export async function createBackup(options: CreateBackupOptions): Promise<BackupManifest> {
  const archivePath = resolve(options.archivePath);
  const layout = dataLayout(options.dataDir);
  if (!existsSync(layout.database)) {
    throw new ZhikuError(
      "not_found:data",
      `${options.dataDir}: no Zhiku data here (zhiku.db is missing); check DATA_DIR`,
    );
  }
  if (existsSync(archivePath)) {
    throw new ZhikuError(
      "conflict:file",
      `${archivePath} already exists; choose another file name or remove it first`,
    );
  }
  if (!existsSync(dirname(archivePath))) {
    throw new ZhikuError(
      "not_found:directory",
      `${dirname(archivePath)}: the folder for the backup does not exist`,
    );
  }
  const attempts = options.attempts ?? 3;
  for (let attempt = 1; ; attempt++) {
    const staging = await mkdtemp(join(options.temporaryDirectory ?? tmpdir(), "zhiku-backup-"));
    try {
      const manifest = await takeSnapshot({
        dataDir: options.dataDir,
        staging,
        onProgress: options.onProgress ?? (() => undefined),
      });
      await writeFile(join(staging, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
      const partial = join(dirname(archivePath), `.${basename(archivePath)}.partial`);
      try {
        await createTar({ gzip: true, file: partial, cwd: staging, portable: true }, [
          MANIFEST_FILE,
          ...manifest.contents,
        ]);
        await rename(partial, archivePath);
        await options.onProgress?.("packed");
      } finally {
        await rm(partial, { force: true });
      }
      return manifest;
    } catch (error) {
      if (!isZhikuError(error, SNAPSHOT_RACE) || attempt >= attempts) throw error;
    } finally {
      await rm(staging, { recursive: true, force: true });
    }
  }
}

/** Options for {@link runBackup}. */
export interface RunBackupOptions {
  dataDir: string;
  archivePath: string;
  output: NodeJS.WritableStream;
}

/** `zhiku backup <file.tar.gz>`: writes the archive and prints what it holds. */
export async function runBackup(options: RunBackupOptions): Promise<BackupManifest> {
  const manifest = await createBackup({ dataDir: options.dataDir, archivePath: options.archivePath });
  const { counts } = manifest;
  const size = (await stat(options.archivePath)).size;
  options.output.write(
    `Backed up ${counts.workspaces} workspaces, ${counts.documents} documents, ${counts.chunks} chunks and ${counts.files} original files to ${options.archivePath} (${(size / 1024 / 1024).toFixed(1)} MB)\n`,
  );
  if (counts.missingFiles > 0) {
    options.output.write(
      `warning: ${counts.missingFiles} original files were deleted while the backup ran; their documents are in the backup without them\n`,
    );
  }
  return manifest;
}
