import { crc32, deflateRawSync } from "node:zlib";
import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { parseDocx } from "./docx.js";
import { fixture } from "./test-support.js";
import { assertZipWithinLimits, listZipEntries, readZipEntry } from "./zip-entries.js";

/** A minimal ZIP writer for hostile archives; `declaredSize` lets an entry lie about its decompressed size. */
function buildZip(entries: { name: string; data: Uint8Array; declaredSize?: number }[]): Uint8Array {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, "utf8");
    const compressed = deflateRawSync(entry.data);
    const size = entry.declaredSize ?? entry.data.byteLength;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc32(entry.data), 14);
    local.writeUInt32LE(compressed.byteLength, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.byteLength, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(crc32(entry.data), 16);
    central.writeUInt32LE(compressed.byteLength, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.byteLength, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.byteLength + name.byteLength + compressed.byteLength;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...locals, directory, end]));
}

const limits = {
  maxEntries: 10,
  maxUncompressedBytes: 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 64 * 1024,
};

describe("ZIP bomb limits", () => {
  it("passes a real Word document and reads entries back", () => {
    const docx = fixture("headings.docx");
    expect(() => assertZipWithinLimits(docx)).not.toThrow();
    const archive = buildZip([{ name: "a.txt", data: new TextEncoder().encode("hello") }]);
    const [entry] = listZipEntries(archive)!;
    expect(entry).toMatchObject({ name: "a.txt", uncompressedSize: 5 });
    expect(new TextDecoder().decode(readZipEntry(archive, entry!))).toBe("hello");
  });

  it("refuses a DOCX that expands a thousandfold before mammoth reads it, naming the file", async () => {
    const bomb = buildZip([
      { name: "[Content_Types].xml", data: new TextEncoder().encode("<Types/>") },
      { name: "word/document.xml", data: new Uint8Array(20 * 1024 * 1024) },
    ]);
    expect(bomb.byteLength).toBeLessThan(100 * 1024);
    const error = await parseDocx({ name: "bomb.docx", bytes: bomb }).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "too_large:archive")).toBe(true);
    expect((error as Error).message).toContain('"bomb.docx"');
    expect((error as Error).message).toContain("100 times");
  });

  it("refuses too many entries, too much data, and entries that lie about their size", () => {
    const many = buildZip(
      Array.from({ length: 11 }, (_, index) => ({ name: `${index}.xml`, data: new Uint8Array(1) })),
    );
    expect(() => assertZipWithinLimits({ name: "many.docx", bytes: many, limits })).toThrow(/11 entries/);
    const big = buildZip([{ name: "word/document.xml", data: new Uint8Array(2 * 1024 * 1024).fill(65) }]);
    expect(() => assertZipWithinLimits({ name: "big.docx", bytes: big, limits })).toThrow(/more than 1 MB/);
    const liar = buildZip([
      { name: "word/document.xml", data: new Uint8Array(2 * 1024 * 1024), declaredSize: 10 },
    ]);
    expect(listZipEntries(liar)![0]!.uncompressedSize).toBe(10);
    expect(() => assertZipWithinLimits({ name: "liar.docx", bytes: liar, limits })).toThrow(
      /liar\.docx.*ZIP bomb/,
    );
    // Reading a lying entry stops at its declared size instead of filling memory.
    expect(readZipEntry(liar, listZipEntries(liar)![0]!)).toBeUndefined();
  });
});
