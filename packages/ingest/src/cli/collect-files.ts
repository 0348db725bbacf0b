import { readdir, stat } from "node:fs/promises";
import { basename, join, relative, sep } from "node:path";

/** A file to ingest and the name it is stored under. */
export interface SourceFile {
  /** Where the file is on disk. */
  path: string;
  /** Document name: the path relative to the folder given (with `/`), or the file name for a file given directly. */
  name: string;
  /** Size in bytes. */
  bytes: number;
}

/**
 * Expands files and folders into the files to ingest, recursively, skipping hidden files and folders
 * (names starting with "."). Files given directly keep their file name; files found in a folder are named by
 * their path relative to that folder: `zhiku ingest docs` stores `docs/guide/intro.md` as `guide/intro.md`.
 * @throws Error naming the path when it does not exist.
 */
export async function collectFiles(paths: readonly string[]): Promise<SourceFile[]> {
  const files: SourceFile[] = [];
  for (const path of paths) {
    let info: Awaited<ReturnType<typeof stat>>;
    try {
      info = await stat(path);
    } catch {
      throw new Error(`${path}: no such file or folder`);
    }
    if (info.isDirectory()) {
      await walk(path, path, files);
    } else if (info.isFile()) {
      files.push({ path, name: basename(path), bytes: info.size });
    }
  }
  return files;
}

async function walk(root: string, folder: string, files: SourceFile[]): Promise<void> {
  const entries = await readdir(folder, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    if (entry.name.startsWith(".")) continue;
    const path = join(folder, entry.name);
    // Folder links are not followed, so a link loop cannot make the walk endless.
    if (entry.isDirectory()) {
      await walk(root, path, files);
    } else if (entry.isFile() || entry.isSymbolicLink()) {
      const info = await stat(path).catch(() => undefined);
      if (!info?.isFile()) continue;
      files.push({ path, name: relative(root, path).split(sep).join("/"), bytes: info.size });
    }
  }
}
