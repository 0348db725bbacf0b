import { inflateRawSync } from "node:zlib";
import { ZhikuError } from "../errors.js";

/** One file inside a ZIP archive, as listed in its central directory. */
export interface ZipEntry {
  /** Path of the file inside the archive, e.g. `word/document.xml`. */
  name: string;
  /** 0 = stored, 8 = deflated; other methods are not read. */
  method: number;
  /** Size of the stored (possibly compressed) data in bytes. */
  compressedSize: number;
  /** Size of the data once decompressed, as the archive declares it. */
  uncompressedSize: number;
  /** Offset of the entry's local file header from the start of the archive. */
  localHeaderOffset: number;
}

const endOfCentralDirectorySignature = 0x06054b50;
const centralDirectorySignature = 0x02014b50;
const localHeaderSignature = 0x04034b50;

/**
 * Lists the entries of a ZIP archive from its central directory, or returns undefined when the
 * bytes are not a readable ZIP. Only what is needed to recognise a DOCX and read small XML parts;
 * ZIP64 archives are not supported.
 */
export function listZipEntries(bytes: Uint8Array): ZipEntry[] | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // The end record is 22 bytes plus a comment of at most 65535 bytes, at the very end.
  const lowest = Math.max(0, bytes.length - 22 - 0xffff);
  let endOffset = -1;
  for (let offset = bytes.length - 22; offset >= lowest; offset -= 1) {
    if (view.getUint32(offset, true) === endOfCentralDirectorySignature) {
      endOffset = offset;
      break;
    }
  }
  if (endOffset < 0) return undefined;
  const count = view.getUint16(endOffset + 10, true);
  let offset = view.getUint32(endOffset + 16, true);
  const decoder = new TextDecoder("utf-8");
  const entries: ZipEntry[] = [];
  for (let index = 0; index < count; index += 1) {
    if (offset + 46 > bytes.length || view.getUint32(offset, true) !== centralDirectorySignature)
      return undefined;
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    entries.push({
      name: decoder.decode(bytes.subarray(offset + 46, offset + 46 + nameLength)),
      method: view.getUint16(offset + 10, true),
      compressedSize: view.getUint32(offset + 20, true),
      uncompressedSize: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/** Reads one entry of a ZIP archive as bytes; undefined when it is missing or unreadable. */
export function readZipEntry(bytes: Uint8Array, entry: ZipEntry): Uint8Array | undefined {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header = entry.localHeaderOffset;
  if (header + 30 > bytes.length || view.getUint32(header, true) !== localHeaderSignature) return undefined;
  const dataStart = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
  const data = bytes.subarray(dataStart, dataStart + entry.compressedSize);
  try {
    if (entry.method === 0) return data;
    // Never inflate beyond the declared size: a lying entry fails instead of filling memory.
    if (entry.method === 8)
      return inflateRawSync(data, { maxOutputLength: Math.max(1, entry.uncompressedSize) });
  } catch {
    return undefined;
  }
  return undefined;
}

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

/**
 * Refuses a ZIP bomb before a parser expands it: too many entries, too much decompressed data or too high a ratio,
 * by the central directory and then by actually inflating each entry against the budget (so an entry that lies about
 * its size is caught too). Throws `too_large:archive` naming the file; returns quietly for a sane archive, and also for
 * bytes that are not a readable ZIP (the parser reports those).
 */
export function assertZipWithinLimits(options: {
  name: string;
  bytes: Uint8Array;
  limits?: ZipLimits;
}): void {
  const { name, bytes } = options;
  const limits = options.limits ?? defaultZipLimits;
  const entries = listZipEntries(bytes);
  if (!entries) return;
  const refuse = (reason: string) => {
    throw new ZhikuError("too_large:archive", `"${name}" is refused as a possible ZIP bomb: ${reason}`);
  };
  if (entries.length > limits.maxEntries)
    refuse(`it has ${entries.length} entries (limit ${limits.maxEntries})`);
  const declared = entries.reduce((total, entry) => total + entry.uncompressedSize, 0);
  const check = (total: number) => {
    if (total > limits.maxUncompressedBytes) {
      refuse(`it expands to more than ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB`);
    }
    if (total > limits.ratioFloorBytes && total / Math.max(1, bytes.byteLength) > limits.maxRatio) {
      refuse(`it expands more than ${limits.maxRatio} times its size`);
    }
  };
  check(declared);
  let actual = 0;
  for (const entry of entries) {
    if (entry.method !== 8) {
      actual += entry.compressedSize;
      continue;
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const header = entry.localHeaderOffset;
    if (header + 30 > bytes.length) continue;
    const dataStart = header + 30 + view.getUint16(header + 26, true) + view.getUint16(header + 28, true);
    const budget = limits.maxUncompressedBytes - actual;
    try {
      actual += inflateRawSync(bytes.subarray(dataStart, dataStart + entry.compressedSize), {
        maxOutputLength: Math.max(1, budget + 1),
      }).byteLength;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE")
        check(limits.maxUncompressedBytes + 1);
      // Damaged data: the parser reports it.
      continue;
    }
    check(actual);
  }
}
