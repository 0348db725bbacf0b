import { createHash, randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { access, mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const HASH_PATTERN = /^[0-9a-f]{64}$/;

/** Original files kept under the data dir, named by the SHA-256 of their bytes (never by their file name). */
export interface FileStore {
  /** Stores bytes (no-op when already present) and returns their SHA-256 in hex. */
  put(bytes: Uint8Array): Promise<string>;
  /** Reads the bytes stored under `hash`. */
  read(hash: string): Promise<Uint8Array>;
  /** Whether bytes with this hash are stored. */
  has(hash: string): boolean;
  /** Where the bytes with this hash live on disk. */
  path(hash: string): string;
  /** Removes the bytes stored under `hash`, if any. */
  remove(hash: string): Promise<void>;
}

/** SHA-256 of bytes, in hex: the content hash used for documents and stored files. */
export function hashBytes(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/** Creates a content-addressed file store rooted at `root`; writes are atomic (temp file + rename). */
export function createFileStore(root: string): FileStore {
  const pathOf = (hash: string): string => {
    if (!HASH_PATTERN.test(hash)) throw new Error(`Invalid file hash "${hash}"`);
    return join(root, hash.slice(0, 2), hash);
  };
  return {
    async put(bytes) {
      const hash = hashBytes(bytes);
      const target = pathOf(hash);
      if (await exists(target)) return hash;
      const folder = join(root, hash.slice(0, 2));
      const temporary = `${target}.${randomUUID()}.tmp`;
      // Never synchronously: the server stores a whole upload's files while it answers other requests (a hundred
      // small synchronous writes held its event loop for seconds under load, bench/stress). The shard folder is made
      // only when the first write into it finds it missing.
      try {
        await writeFile(temporary, bytes);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        await mkdir(folder, { recursive: true });
        await writeFile(temporary, bytes);
      }
      await rename(temporary, target);
      return hash;
    },
    async read(hash) {
      return new Uint8Array(await readFile(pathOf(hash)));
    },
    has(hash) {
      return existsSync(pathOf(hash));
    },
    path: pathOf,
    async remove(hash) {
      await rm(pathOf(hash), { force: true });
    },
  };
}
