import { type FSWatcher, watch } from "node:fs";
import { opendir, readFile, realpath, stat } from "node:fs/promises";
import { isAbsolute, join, relative, sep } from "node:path";
import { ZhikuError } from "@zhiku/ingest";
import type { ItemLister, ListedItem } from "./source-types.js";

/** Extensions a folder source ingests: the formats the parsers read (other files are left alone). */
const folderExtensions = new Set(
  "pdf docx html htm xhtml md markdown mdx csv tsv json txt text rst adoc".split(" "),
);

/** Lower-case extension of a path without the dot, or "". */
export function extensionOfPath(path: string): string {
  const base = path.slice(path.lastIndexOf("/") + 1);
  const dot = base.lastIndexOf(".");
  return dot <= 0 ? "" : base.slice(dot + 1).toLowerCase();
}

function isWithin(root: string, path: string): boolean {
  const difference = relative(root, path);
  return difference === "" || (!difference.startsWith("..") && !isAbsolute(difference));
}

/**
 * The real path of a directory a source may read: it must exist and lie under one of `roots`
 * (`SOURCE_FOLDER_ROOTS`, symbolic links resolved on both sides). `field` names the setting in errors.
 * Throws `forbidden:source_folder` (403) outside the roots or with none set, `invalid:<field>` when missing.
 */
export async function resolveAllowedDirectory(options: {
  /** The directory asked for. */
  path: string;
  /** `SOURCE_FOLDER_ROOTS`. */
  roots: readonly string[];
  /** The request field the path came from, for error messages (`config.path`, `config.url`). */
  field: string;
}): Promise<string> {
  const { path, roots, field } = options;
  if (roots.length === 0) {
    throw new ZhikuError(
      "forbidden:source_folder",
      `${field}: reading folders on the server is off; an admin can allow directories with SOURCE_FOLDER_ROOTS`,
    );
  }
  if (!isAbsolute(path))
    throw new ZhikuError(`invalid:${field}`, `${field}: ${path} is not an absolute path`);
  const real = await realpath(path).catch(() => undefined);
  const stats = real ? await stat(real).catch(() => undefined) : undefined;
  if (!real || !stats?.isDirectory()) {
    throw new ZhikuError(`invalid:${field}`, `${field}: ${path} is not a directory on the server`);
  }
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => root)));
  if (!realRoots.some((root) => isWithin(root, real))) {
    throw new ZhikuError(
      "forbidden:source_folder",
      `${field}: ${path} is outside the directories folder sources may read (SOURCE_FOLDER_ROOTS: ${roots.join(", ")})`,
    );
  }
  return real;
}

/**
 * Lists the documents under a directory: files with a parser's extension, in every subdirectory, skipping
 * hidden entries (names starting with a dot) and symbolic links (so nothing outside the directory is read). Keys are
 * paths relative to the directory with `/`; names are `<prefix>/<key>`. A file over `maxBytes` or unreadable is a
 * failed item.
 */
export function listFolderItems(options: {
  /** The directory, already checked by {@link resolveAllowedDirectory}. */
  directory: string;
  /** Put before each key in the document name (the source's name). */
  namePrefix: string;
  /** Largest file read, in bytes (`MAX_UPLOAD_MB`). */
  maxBytes: number;
  /** Which files to take, by extension; the folder formats when omitted. */
  extensions?: ReadonlySet<string>;
}): ItemLister {
  const extensions = options.extensions ?? folderExtensions;
  return async function* list(signal) {
    yield* walk(options.directory, "");
    async function* walk(directory: string, prefix: string): AsyncGenerator<ListedItem> {
      const entries = [];
      for await (const entry of await opendir(directory)) entries.push(entry);
      entries.sort((left, right) => (left.name < right.name ? -1 : left.name > right.name ? 1 : 0));
      for (const entry of entries) {
        signal.throwIfAborted();
        if (entry.name.startsWith(".") || entry.isSymbolicLink()) continue;
        const key = prefix ? `${prefix}/${entry.name}` : entry.name;
        const path = join(directory, entry.name);
        if (entry.isDirectory()) {
          yield* walk(path, key);
          continue;
        }
        if (!entry.isFile() || !extensions.has(extensionOfPath(entry.name))) continue;
        yield await readItem({ path, key, name: `${options.namePrefix}/${key}`, maxBytes: options.maxBytes });
      }
    }
  };
}

/** Reads one file as an item, or the reason it could not be read. */
export async function readItem(options: {
  path: string;
  key: string;
  name: string;
  maxBytes: number;
}): Promise<ListedItem> {
  const { path, key, name, maxBytes } = options;
  try {
    const { size } = await stat(path);
    if (size > maxBytes) {
      return {
        key,
        error: `larger than the upload limit of ${Math.round(maxBytes / 1024 / 1024)} MB (MAX_UPLOAD_MB)`,
      };
    }
    return { key, name, bytes: new Uint8Array(await readFile(path)) };
  } catch (error) {
    return { key, error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Watches a directory and its subdirectories, calling `onChange` once changes have been quiet for `debounceMs`.
 * Returns the function that stops watching. A directory that cannot be watched calls `onError` and is left to the
 * schedule.
 */
export function watchFolder(options: {
  directory: string;
  debounceMs: number;
  onChange: () => void;
  onError: (error: unknown) => void;
}): () => void {
  let timer: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const changed = (_event: string, file: string | Buffer | null) => {
    // Changes to hidden files (an editor's swap file, .git) do not change what is synced.
    const name = file === null ? "" : String(file);
    if (name.split(sep).some((part) => part.startsWith("."))) return;
    clearTimeout(timer);
    timer = setTimeout(options.onChange, options.debounceMs);
    timer.unref();
  };
  try {
    watcher = watch(options.directory, { recursive: true, persistent: false }, changed);
    watcher.on("error", options.onError);
  } catch (error) {
    options.onError(error);
  }
  return () => {
    clearTimeout(timer);
    watcher?.close();
  };
}
