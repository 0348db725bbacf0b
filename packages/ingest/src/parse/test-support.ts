import { readFileSync } from "node:fs";
import { crc32, createDeflateRaw, deflateRawSync } from "node:zlib";
import { expect } from "vitest";
import type { ParsedDocument } from "../types.js";

/** Reads a committed fixture from packages/ingest/fixtures as a test input. */
export function fixture(name: string): { bytes: Uint8Array; name: string } {
  return { bytes: new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url))), name };
}

/** Asserts the ParsedDocument contract: non-empty text, sections inside it, in order, not overlapping. */
export function expectValidSections(document: ParsedDocument): void {
  expect(document.text.trim().length).toBeGreaterThan(0);
  let previousEnd = 0;
  for (const section of document.sections) {
    expect(section.start).toBeGreaterThanOrEqual(previousEnd);
    expect(section.end).toBeGreaterThan(section.start);
    expect(section.end).toBeLessThanOrEqual(document.text.length);
    previousEnd = section.end;
  }
}

/** The text of each section, for readable assertions. */
export function sectionTexts(
  document: ParsedDocument,
): { headings: string[]; page?: number; text: string }[] {
  return document.sections.map((section) => ({
    headings: section.headings,
    ...(section.page !== undefined ? { page: section.page } : {}),
    text: document.text.slice(section.start, section.end),
  }));
}

/** An entry for {@link buildZip}: `declaredSize` lets it lie about its decompressed size; `deflated` is its data already compressed. */
export interface TestZipEntry {
  name: string;
  data?: Uint8Array;
  deflated?: { bytes: Uint8Array; size: number };
  declaredSize?: number;
}

/** The local entries and the central directory of a ZIP, with local header offsets counted from `base`. */
function zipParts(entries: readonly TestZipEntry[], base = 0): { locals: Buffer; directory: Buffer } {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = base;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const data = entry.data ?? new Uint8Array(0);
    const compressed = entry.deflated?.bytes ?? deflateRawSync(data);
    const size = entry.declaredSize ?? entry.deflated?.size ?? data.byteLength;
    const checksum = entry.deflated ? 0 : crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(checksum, 14);
    local.writeUInt32LE(compressed.byteLength, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(checksum, 16);
    central.writeUInt32LE(compressed.byteLength, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.byteLength + name.byteLength + compressed.byteLength;
  }
  return { locals: Buffer.concat(locals), directory: Buffer.concat(centrals) };
}

function endRecord(count: number, directorySize: number, directoryOffset: number): Buffer {
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directorySize, 12);
  end.writeUInt32LE(directoryOffset, 16);
  return end;
}

/** A minimal ZIP writer for hostile archives. */
export function buildZip(entries: readonly TestZipEntry[]): Uint8Array {
  const { locals, directory } = zipParts(entries);
  return new Uint8Array(
    Buffer.concat([locals, directory, endRecord(entries.length, directory.byteLength, locals.byteLength)]),
  );
}

/**
 * A ZIP with two central directories: the end record points at a decoy (with the decoy's small entries) at the
 * offset where the real directory would be in a ZIP without the bytes in front; the real entries and directory come
 * after those bytes. A reader that takes the end record's offset literally sees the decoy; one that corrects for
 * "extra bytes at the start" (as self-extracting archives have) sees the real entries. Both lists need as many
 * entries.
 */
export function buildDecoyZip(decoy: readonly TestZipEntry[], real: readonly TestZipEntry[]): Uint8Array {
  if (decoy.length !== real.length) throw new Error("the decoy needs as many entries as the real directory");
  const realParts = zipParts(real);
  const decoyParts = zipParts(decoy);
  const padding = realParts.locals.byteLength - decoyParts.locals.byteLength;
  if (padding < 0) throw new Error("the decoy entries must be smaller than the real ones");
  const front = Buffer.concat([decoyParts.locals, Buffer.alloc(padding), decoyParts.directory]);
  return new Uint8Array(
    Buffer.concat([
      front,
      realParts.locals,
      realParts.directory,
      endRecord(real.length, realParts.directory.byteLength, realParts.locals.byteLength),
    ]),
  );
}

/** `size` zero bytes deflated, without ever holding them all: a compact stand-in for a huge XML part. */
export async function deflatedZeros(size: number): Promise<{ bytes: Uint8Array; size: number }> {
  const deflate = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  deflate.on("data", (part: Buffer) => parts.push(part));
  const finished = new Promise<void>((resolve, reject) => deflate.on("end", resolve).on("error", reject));
  const block = Buffer.alloc(1024 * 1024);
  for (let written = 0; written < size; written += block.byteLength) {
    const piece = block.subarray(0, Math.min(block.byteLength, size - written));
    if (!deflate.write(piece)) await new Promise((resolve) => deflate.once("drain", resolve));
  }
  deflate.end();
  await finished;
  return { bytes: new Uint8Array(Buffer.concat(parts)), size };
}
