import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { detectDocumentType, extensionOf } from "./detect-type.js";
import { fixture } from "./test-support.js";

const encode = (text: string) => new TextEncoder().encode(text);

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("extensionOf", () => {
  it("takes the lower-cased last extension of the base name", () => {
    expect(extensionOf("docs/Guide.PDF")).toBe("pdf");
    expect(extensionOf("a.b\\notes.tar.gz")).toBe("gz");
    expect(extensionOf("folder.v2/README")).toBe("");
    expect(extensionOf(".bashrc")).toBe("");
  });
});

describe("detectDocumentType", () => {
  it("recognises each fixture by content and extension", () => {
    const expected: Record<string, string> = {
      "zh-two-page.pdf": "pdf",
      "headings.docx": "docx",
      "scraped-zh.html": "html",
      "nested.md": "markdown",
      "gbk.txt": "text",
      "utf16le.txt": "text",
      "services.csv": "csv",
      "settings.tsv": "csv",
      "config.json": "json",
    };
    for (const [name, type] of Object.entries(expected))
      expect(detectDocumentType(fixture(name)), name).toBe(type);
  });

  it("lets PDF and DOCX magic bytes win over a misleading extension", () => {
    expect(detectDocumentType({ ...fixture("zh-two-page.pdf"), name: "report.txt" })).toBe("pdf");
    expect(detectDocumentType({ ...fixture("headings.docx"), name: "download" })).toBe("docx");
  });

  it("rejects a .pdf that is not a PDF and a .docx that is not a ZIP as invalid:corrupt", () => {
    const pdf = failure(() => detectDocumentType({ name: "fake.pdf", bytes: encode("just some text") }));
    expect(isZhikuError(pdf, "invalid:corrupt")).toBe(true);
    expect((pdf as Error).message).toContain('"fake.pdf" has a .pdf extension but is not a PDF');
    const docx = failure(() => detectDocumentType({ name: "fake.docx", bytes: encode("<html></html>") }));
    expect(isZhikuError(docx, "invalid:corrupt")).toBe(true);
  });

  it("rejects a ZIP without word/document.xml as unsupported:type, or invalid:corrupt when named .docx", () => {
    // A minimal empty ZIP: just the end-of-central-directory record.
    const emptyZip = Uint8Array.of(0x50, 0x4b, 0x05, 0x06, ...new Array(18).fill(0));
    const asZip = failure(() => detectDocumentType({ name: "bundle.zip", bytes: emptyZip }));
    expect(isZhikuError(asZip, "unsupported:type")).toBe(true);
    expect((asZip as Error).message).toContain('"bundle.zip" is a ZIP archive');
    const asDocx = failure(() => detectDocumentType({ name: "broken.docx", bytes: emptyZip }));
    expect(isZhikuError(asDocx, "invalid:corrupt")).toBe(true);
  });

  it("names recognised binary formats and refuses unknown extensions", () => {
    const gif = new TextEncoder().encode("GIF89a\u0001\u0000\u0001\u0000");
    const asGif = failure(() => detectDocumentType({ name: "diagram.gif", bytes: gif }));
    expect(isZhikuError(asGif, "unsupported:type")).toBe(true);
    expect((asGif as Error).message).toContain("GIF image");
    const asTxt = failure(() =>
      detectDocumentType({ name: "diagram.txt", bytes: Uint8Array.of(0x47, 0x49, 0x46, 0x38, 0) }),
    );
    expect(isZhikuError(asTxt, "unsupported:type")).toBe(true);
    const exe = failure(() =>
      detectDocumentType({ name: "setup.exe", bytes: Uint8Array.of(0x4d, 0x5a, 0x90, 0) }),
    );
    expect((exe as Error).message).toContain('"setup.exe" is a Windows executable');
    const latin1 = Uint8Array.of(0x63, 0x61, 0x66, 0xe9, 0x20, 0xe0, 0x20, 0x6c, 0x61);
    const unknown = failure(() => detectDocumentType({ name: "drawing.sketch", bytes: latin1 }));
    expect(isZhikuError(unknown, "unsupported:type")).toBe(true);
    expect((unknown as Error).message).toContain(".sketch files are not supported");
  });

  it("reads UTF-8 text under an unknown or missing extension as plain text", () => {
    expect(
      detectDocumentType({ name: "LICENSE", bytes: encode("MIT License\n\nPermission is hereby granted") }),
    ).toBe("text");
    expect(detectDocumentType({ name: "licenses/jvm.LICENSE", bytes: encode("署名—相同方式共享 4.0") })).toBe(
      "text",
    );
  });

  it("keeps text that merely starts like a binary signature", () => {
    expect(detectDocumentType({ name: "notes.txt", bytes: encode("MZ stands for Mark Zbikowski") })).toBe(
      "text",
    );
  });

  it("rejects an empty file as invalid:empty", () => {
    const error = failure(() => detectDocumentType(fixture("empty.txt")));
    expect(isZhikuError(error, "invalid:empty")).toBe(true);
    expect((error as Error).message).toBe('"empty.txt" is empty (0 bytes).');
  });

  it("reads PNG, JPEG and WebP as images (OCR) by their bytes; an image extension over other bytes is invalid:corrupt", () => {
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d);
    expect(detectDocumentType({ name: "diagram.png", bytes: png })).toBe("image");
    expect(detectDocumentType({ name: "photo", bytes: Uint8Array.of(0xff, 0xd8, 0xff, 0xe0) })).toBe("image");
    expect(
      detectDocumentType({ name: "shot.webp", bytes: new TextEncoder().encode("RIFF\0\0\0\0WEBPVP8 ") }),
    ).toBe("image");
    const pgm = failure(() =>
      detectDocumentType({ name: "page.pgm", bytes: new TextEncoder().encode("P5\n1 1\n255\n\0") }),
    );
    expect(isZhikuError(pgm, "unsupported:type")).toBe(true);
    const wav = failure(() =>
      detectDocumentType({ name: "sound.wav", bytes: new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt ") }),
    );
    expect(isZhikuError(wav, "unsupported:type")).toBe(true);
    const fake = failure(() =>
      detectDocumentType({ name: "fake.jpg", bytes: new TextEncoder().encode("hello") }),
    );
    expect(isZhikuError(fake, "invalid:corrupt")).toBe(true);
    expect((fake as Error).message).toContain(
      '"fake.jpg" has a .jpg extension but is not a PNG, JPEG or WebP image',
    );
  });
});
