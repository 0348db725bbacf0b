import mammoth from "mammoth";
import { afterEach, describe, expect, it, vi } from "vitest";
import { isZhikuError } from "../errors.js";
import { parseDocx } from "./docx.js";
import { buildDecoyZip, buildZip, deflatedZeros, fixture } from "./test-support.js";
import { defaultZipLimits, openZipWithinLimits } from "./zip-archive.js";

const limits = {
  maxEntries: 10,
  maxUncompressedBytes: 1024 * 1024,
  maxRatio: 100,
  ratioFloorBytes: 64 * 1024,
};

const encode = (text: string) => new TextEncoder().encode(text);
const wordXml = (body: string) =>
  encode(
    `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
  );
const paragraph = (text: string) => `<w:p><w:r><w:t>${text}</w:t></w:r></w:p>`;
const contentTypes = { name: "[Content_Types].xml", data: encode("<Types/>") };

afterEach(() => {
  vi.restoreAllMocks();
});

describe("ZIP bomb limits", () => {
  it("passes a real Word document", async () => {
    const archive = await openZipWithinLimits(fixture("headings.docx"));
    expect(archive.file("word/document.xml")).not.toBeNull();
  });

  it("refuses a DOCX that expands a thousandfold before mammoth reads it, naming the file", async () => {
    const bomb = buildZip([
      contentTypes,
      { name: "word/document.xml", data: new Uint8Array(20 * 1024 * 1024) },
    ]);
    expect(bomb.byteLength).toBeLessThan(100 * 1024);
    const error = await parseDocx({ name: "bomb.docx", bytes: bomb }).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "too_large:archive")).toBe(true);
    expect((error as Error).message).toContain('"bomb.docx"');
    expect((error as Error).message).toContain("100 times");
  });

  it("refuses too many entries, too much data, and entries that lie about their size", async () => {
    const many = buildZip(
      Array.from({ length: 11 }, (_, index) => ({ name: `${index}.xml`, data: new Uint8Array(1) })),
    );
    await expect(openZipWithinLimits({ name: "many.docx", bytes: many, limits })).rejects.toThrow(
      /11 entries/,
    );
    const big = buildZip([{ name: "word/document.xml", data: new Uint8Array(2 * 1024 * 1024).fill(65) }]);
    await expect(openZipWithinLimits({ name: "big.docx", bytes: big, limits })).rejects.toThrow(
      /more than 1 MB/,
    );
    // The declared size is not trusted: the entry is inflated and counted.
    const liar = buildZip([
      { name: "word/document.xml", data: new Uint8Array(2 * 1024 * 1024), declaredSize: 10 },
    ]);
    await expect(openZipWithinLimits({ name: "liar.docx", bytes: liar, limits })).rejects.toThrow(
      /liar\.docx.*ZIP bomb/,
    );
  });

  it("checks the central directory mammoth reads, not a decoy the end record points at", async () => {
    // The decoy lists three tiny entries; the real directory, after the decoy's bytes, holds 4 MB.
    const decoyZip = buildDecoyZip(
      [
        contentTypes,
        { name: "word/document.xml", data: wordXml(paragraph("decoy")) },
        { name: "a.xml", data: encode("<a/>") },
      ],
      [
        contentTypes,
        { name: "word/document.xml", data: wordXml(paragraph("real text")) },
        { name: "word/media/image1.bin", data: new Uint8Array(4 * 1024 * 1024) },
      ],
    );
    expect(decoyZip.byteLength).toBeLessThan(64 * 1024);
    // mammoth does read the real document from this file: that is what the limits must see.
    const { value } = await mammoth.convertToHtml({ buffer: Buffer.from(decoyZip) });
    expect(value).toContain("real text");
    expect(value).not.toContain("decoy");
    const error = await openZipWithinLimits({ name: "decoy.docx", bytes: decoyZip, limits }).catch(
      (caught: unknown) => caught,
    );
    expect(isZhikuError(error, "too_large:archive")).toBe(true);
    expect((error as Error).message).toContain('"decoy.docx"');
  });

  it("refuses a decoy archive hiding a 300 MB document.xml at the default limits, before mammoth runs", async () => {
    expect(defaultZipLimits.maxUncompressedBytes).toBeLessThan(300 * 1024 * 1024);
    const huge = await deflatedZeros(300 * 1024 * 1024);
    const decoyZip = buildDecoyZip(
      [contentTypes, { name: "word/document.xml", data: wordXml(paragraph("decoy")) }],
      [contentTypes, { name: "word/document.xml", deflated: huge }],
    );
    expect(decoyZip.byteLength).toBeLessThan(1024 * 1024);
    const convert = vi.spyOn(mammoth, "convertToHtml");
    const error = await parseDocx({ name: "crafted.docx", bytes: decoyZip }).catch(
      (caught: unknown) => caught,
    );
    expect(isZhikuError(error, "too_large:archive")).toBe(true);
    expect((error as Error).message).toContain('"crafted.docx"');
    expect(convert).not.toHaveBeenCalled();
  });

  it("reports bytes that are not a ZIP, and an entry that does not inflate, as invalid:corrupt", async () => {
    const notZip = await openZipWithinLimits({ name: "text.docx", bytes: encode("not a zip") }).catch(
      (caught: unknown) => caught,
    );
    expect(isZhikuError(notZip, "invalid:corrupt")).toBe(true);
    expect((notZip as Error).message).toContain('"text.docx"');
    const damaged = buildZip([
      { name: "word/document.xml", deflated: { bytes: new Uint8Array([0xff, 0xff, 0xff, 0xff]), size: 10 } },
    ]);
    const error = await openZipWithinLimits({ name: "damaged.docx", bytes: damaged }).catch(
      (caught: unknown) => caught,
    );
    expect(isZhikuError(error, "invalid:corrupt")).toBe(true);
    expect((error as Error).message).toContain("word/document.xml");
  });
});
