import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { characterErrorRate, ocrFixtureText, renderTextImage } from "../ocr/test-support.js";
import { type ParseProgress, parseDocument } from "./index.js";

describe("parseDocument on images", () => {
  it("reads a Chinese screenshot (PNG) by OCR: page 1 of 1, progress per page, an OCR report", async () => {
    const text = ocrFixtureText("zh-gc.txt");
    const bytes = await renderTextImage({ text, width: 1280, fontSize: 18 });
    const progress: ParseProgress[] = [];
    const document = await parseDocument(
      { bytes, name: "截图.png" },
      { onProgress: (event) => progress.push(event) },
    );
    expect(document.type).toBe("image");
    expect(document.pages).toBe(1);
    expect(document.sections).toEqual([{ headings: [], page: 1, start: 0, end: document.text.length }]);
    expect(progress).toEqual([{ stage: "ocr", page: 1, pages: 1 }]);
    // Six paragraphs in, six out, in order.
    const paragraphs = document.text.split("\n\n");
    expect(paragraphs).toHaveLength(6);
    expect(paragraphs[0]).toMatch(/^程序计数器/);
    expect(paragraphs[5]).toMatch(/循环引用的问题。$/);
    expect(characterErrorRate(text, document.text)).toBeLessThan(0.05);
    expect(document.ocr).toMatchObject({ engine: "tesseract chi_sim+eng", pages: [1] });
    expect(document.ocr!.confidence).toBeGreaterThan(80);
    expect(document.ocr!.lowConfidenceCount).toBe(document.ocr!.lowConfidence.length);
    for (const word of document.ocr!.lowConfidence) {
      expect(word.confidence).toBeLessThan(60);
      expect(word.page).toBe(1);
    }
  });

  it("reads JPEG and WebP the same way, whatever the file is named", async () => {
    for (const format of ["jpeg", "webp"] as const) {
      const bytes = await renderTextImage({
        text: "Redis Cluster shards keys across 16384 hash slots.",
        width: 900,
        fontSize: 24,
        format,
      });
      const document = await parseDocument(
        { bytes, name: `upload.${format === "jpeg" ? "bin" : "webp"}` },
        { ocr: { languages: "eng" } },
      );
      expect(document.type, format).toBe("image");
      expect(document.text, format).toContain("16384 hash slots");
    }
  });

  it("fails with invalid:empty on an image without text, and invalid:corrupt on a .png that is not one", async () => {
    const blank = await renderTextImage({ text: "", width: 400, fontSize: 18, minHeight: 300 });
    const empty = await parseDocument({ bytes: blank, name: "blank.png" }).catch((error: unknown) => error);
    expect(isZhikuError(empty, "invalid:empty")).toBe(true);
    expect((empty as Error).message).toContain('"blank.png"');
    const fake = await parseDocument({
      bytes: new TextEncoder().encode("not an image"),
      name: "fake.png",
    }).catch((error: unknown) => error);
    expect(isZhikuError(fake, "invalid:corrupt")).toBe(true);
    expect((fake as Error).message).toContain('"fake.png"');
  });
});
