import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat } from "node:fs/promises";
import { join, resolve } from "node:path";
import { extract as extractTar } from "tar";
import { ZhikuError } from "../errors.js";
import {
  type BackupCounts,
  type BackupManifest,
  countDataDir,
  MANIFEST_FILE,
  parseManifest,
} from "./backup-manifest.js";

/** Options for {@link restoreBackup}. */
export interface RestoreBackupOptions {
  /** The `.tar.gz` archive written by `zhiku backup`. */
  archivePath: string;
  /** Where to restore (`DATA_DIR`): a missing or empty folder. Stop the server while restoring. */
  dataDir: string;
}

/** What {@link restoreBackup} restored. */
export interface RestoreResult {
  manifest: BackupManifest;
  /** Counted in the restored data dir; equal to `manifest.counts`, or the restore fails. */
  counts: BackupCounts;
}

async function entriesOf(directory: string): Promise<string[] | undefined> {
  try {
    return await readdir(directory);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    if ((error as NodeJS.ErrnoException).code === "ENOTDIR") {
      throw new ZhikuError(
        "conflict:data_dir",
        `${directory} is a file, not a folder; choose another DATA_DIR`,
      );
    }
    throw error;
  }
}

/**
 * Restores a backup archive into an empty or missing data dir and checks that the restored data holds what the
 * manifest counted (workspaces, documents, chunks, original files). Refuses a data dir that has anything in it,
 * so a restore never mixes with or overwrites live data; on any failure it removes what it restored.
 */
export async function restoreBackup(options: RestoreBackupOptions): Promise<RestoreResult> {
  const archivePath = resolve(options.archivePath);
  const dataDir = resolve(options.dataDir);
  if (!existsSync(archivePath) || !(await stat(archivePath)).isFile()) {
    throw new ZhikuError("not_found:backup", `${archivePath}: no such backup file`);
  }
  const existing = await entriesOf(dataDir);
  if (existing && existing.length > 0) {
    throw new ZhikuError(
      "conflict:data_dir",
      `${dataDir} is not empty (${existing.slice(0, 3).join(", ")}${existing.length > 3 ? ", …" : ""}): restore only into an empty or missing DATA_DIR; move the current data away first`,
    );
  }
  await mkdir(dataDir, { recursive: true });
  // Unpacked inside the data dir so moving the parts into place is a rename on the same file system (a
  // Docker volume's mount point cannot itself be replaced).
  const staging = join(dataDir, `.zhiku-restore-${randomUUID()}`);
  const restored: string[] = [];
  try {
    await mkdir(staging);
    try {
      // tar strips absolute paths and refuses entries that climb out of `cwd` with `..`.
      await extractTar({ file: archivePath, cwd: staging, strict: true });
    } catch (error) {
      throw new ZhikuError(
        "invalid:backup",
        `${archivePath}: not a readable backup archive (${error instanceof Error ? error.message : String(error)})`,
        { cause: error },
      );
    }
    let manifestText: string;
    try {
      manifestText = await readFile(join(staging, MANIFEST_FILE), "utf8");
    } catch {
      throw new ZhikuError(
        "invalid:backup",
        `${archivePath}: has no ${MANIFEST_FILE}; it was not written by zhiku backup`,
      );
    }
    const manifest = parseManifest(JSON.parse(manifestText), archivePath);
    for (const part of manifest.contents) {
      if (part.includes("/") || part.startsWith(".") || !existsSync(join(staging, part))) {
        throw new ZhikuError(
          "invalid:backup",
          `${archivePath}: the manifest lists "${part}" but the archive lacks it`,
        );
      }
    }
    for (const part of manifest.contents) {
      await rename(join(staging, part), join(dataDir, part));
      restored.push(part);
    }
    await rm(staging, { recursive: true, force: true });

    const { counts } = await countDataDir(dataDir);
    const differences = (Object.keys(manifest.counts) as (keyof BackupCounts)[])
      .filter((field) => counts[field] !== manifest.counts[field])
      .map((field) => `${field}: ${counts[field]} restored, ${manifest.counts[field]} in the manifest`);
    if (differences.length > 0) {
      throw new ZhikuError(
        "invalid:backup",
        `${archivePath}: the restored data does not match the manifest (${differences.join("; ")})`,
      );
    }
    return { manifest, counts };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    for (const part of restored) await rm(join(dataDir, part), { recursive: true, force: true });
    throw error;
  }
}

/** Options for {@link runRestore}. */
export interface RunRestoreOptions {
  archivePath: string;
  dataDir: string;
  output: NodeJS.WritableStream;
}

/** `zhiku restore <file>`: restores into an empty `DATA_DIR` and prints what was restored. */
export async function runRestore(options: RunRestoreOptions): Promise<RestoreResult> {
  const result = await restoreBackup({ archivePath: options.archivePath, dataDir: options.dataDir });
  const { counts, manifest } = result;
  options.output.write(
    `Restored ${counts.workspaces} workspaces, ${counts.documents} documents, ${counts.chunks} chunks and ${counts.files} original files from the backup of ${manifest.createdAt} into ${options.dataDir}; the counts match the manifest\n`,
  );
  return result;
}
