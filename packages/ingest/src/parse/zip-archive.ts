import { createRequire } from "node:module";
import type JSZip from "jszip";
import { ZhikuError } from "../errors.js";

/**
 * JSZip exactly as mammoth loads it (resolved from mammoth's own location), so the archive the limits are checked on
 * is the archive mammoth reads: the same central directory (a ZIP can hold several, and readers disagree on which
 * one counts), the same entries, the same inflater.
 */
const requireHere = createRequire(import.meta.url);
const MammothZip = createRequire(requireHere.resolve("mammoth"))("jszip") as typeof JSZip;

/** Limits on what a ZIP-based document (DOCX) may expand to before it is parsed. */
export interface ZipLimits {
  /** Most entries. */
  maxEntries: number;
  /** Most bytes all entries decompress to together. */
  maxUncompressedBytes: number;
  /** Highest ratio of decompressed to archive size, checked once the contents exceed `ratioFloorBytes`. */
  maxRatio: number;
  /** Below this many decompressed bytes the ratio is not checked (small files compress well and harm nothing). */
  ratioFloorBytes: number;
}

/** Default limits: far above real Word documents, far below what would exhaust a worker's memory. */
export const defaultZipLimits: ZipLimits = {
  maxEntries: 5_000,
  maxUncompressedBytes: 256 * 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 16 * 1024 * 1024,
};

/** Why `total` decompressed bytes from an archive of `archiveBytes` bytes are too many, or undefined. */
function overLimit(total: number, archiveBytes: number, limits: ZipLimits): string | undefined {
  if (total > limits.maxUncompressedBytes)
    return `it expands to more than ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB`;
  if (total > limits.ratioFloorBytes && total / Math.max(1, archiveBytes) > limits.maxRatio)
    return `it expands more than ${limits.maxRatio} times its size`;
  return undefined;
}

/**
 * The decompressed size the central directory declares for an entry, as JSZip read it (JSZip keeps it on the entry's
 * compressed data, outside its typed API); 0 when unknown. Only a first check: inflating decides.
 */
function declaredSize(entry: JSZip.JSZipObject): number {
  const size = (entry as unknown as { _data?: { uncompressedSize?: unknown } })._data?.uncompressedSize;
  return typeof size === "number" && Number.isFinite(size) ? size : 0;
}

/**
 * Inflates one entry chunk by chunk without keeping the data, counting bytes; stops as soon as `tooMany` says the
 * count so far is too many. Resolves with the count (past the limit when it stopped early).
 */
function countInflated(entry: JSZip.JSZipObject, tooMany: (count: number) => boolean): Promise<number> {
  return new Promise((resolve, reject) => {
    const stream = entry.nodeStream("nodebuffer");
    let count = 0;
    const stop = () => {
      stream.pause();
      stream.removeAllListeners("data");
    };
    stream.on("data", (chunk: Buffer) => {
      count += chunk.byteLength;
      if (tooMany(count)) {
        stop();
        resolve(count);
      }
    });
    stream.on("error", (error: Error) => {
      stop();
      reject(error);
    });
    stream.on("end", () => resolve(count));
  });
}

/**
 * Opens a ZIP archive with the reader the DOCX parser uses and refuses a ZIP bomb before the parser expands it: too
 * many entries, or too much decompressed data or too high a ratio, found by actually inflating every entry against
 * the budget while inflating (the sizes an archive declares are not trusted; no entry is held in memory).
 * @returns the opened archive, checked.
 * @throws ZhikuError `too_large:archive` naming the file; `invalid:corrupt` when the bytes are not a readable ZIP or
 *   an entry does not inflate.
 */
export async function openZipWithinLimits(options: {
  name: string;
  bytes: Uint8Array;
  limits?: ZipLimits;
}): Promise<JSZip> {
  const { name, bytes } = options;
  const limits = options.limits ?? defaultZipLimits;
  const corrupt = (error: unknown, what: string) =>
    new ZhikuError(
      "invalid:corrupt",
      `"${name}" is not a readable ZIP archive: ${what}${(error as Error).message}`,
      {
        cause: error,
      },
    );
  let archive: JSZip;
  try {
    archive = await MammothZip.loadAsync(bytes);
  } catch (error) {
    throw corrupt(error, "");
  }
  const refuse = (reason: string) =>
    new ZhikuError("too_large:archive", `"${name}" is refused as a possible ZIP bomb: ${reason}`);
  const entries = Object.values(archive.files);
  if (entries.length > limits.maxEntries)
    throw refuse(`it has ${entries.length} entries (limit ${limits.maxEntries})`);
  // What the directory declares first (cheap, and it names the honest bomb's size), then what inflating finds.
  const declaredReason = overLimit(
    entries.reduce((sum, entry) => sum + declaredSize(entry), 0),
    bytes.byteLength,
    limits,
  );
  if (declaredReason) throw refuse(declaredReason);
  let total = 0;
  for (const entry of entries) {
    if (entry.dir) continue;
    const before = total;
    try {
      total += await countInflated(
        entry,
        (count) => overLimit(before + count, bytes.byteLength, limits) !== undefined,
      );
    } catch (error) {
      throw corrupt(error, `${entry.name}: `);
    }
    const reason = overLimit(total, bytes.byteLength, limits);
    if (reason) throw refuse(reason);
  }
  return archive;
}
