import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { DEFAULT_OCR_MAX_PIXELS } from "../ocr/ocr-types.js";
import { createTesseractOcr } from "../ocr/tesseract.js";
import { characterErrorRate, makePdf, ocrFixtureText, renderTextImage } from "../ocr/test-support.js";
import type { DocumentInput } from "./detect-type.js";
import type { ParseProgress } from "./parse-options.js";
import { parsePdf as parseWithContext } from "./pdf.js";
import { expectValidSections, fixture, sectionTexts } from "./test-support.js";

/** OCR is real, as in production: the committed PDFs have a text layer on every page, so it is reached only for scans. */
const parsePdf = (input: DocumentInput) =>
  parseWithContext(input, { ocr: createTesseractOcr(), maxPixels: DEFAULT_OCR_MAX_PIXELS });

describe("parsePdf", () => {
  it("reads a two-page Chinese PDF page by page, joining wrapped CJK lines without spaces", async () => {
    const document = await parsePdf(fixture("zh-two-page.pdf"));
    expect(document.type).toBe("pdf");
    expect(document.pages).toBe(2);
    expect(document.title).toBe("向量检索入门");
    expect(document.byline).toBe("知库测试");
    expectValidSections(document);
    expect(sectionTexts(document)).toEqual([
      {
        headings: [],
        page: 1,
        text:
          "第一章 向量检索入门\n\n" +
          "向量检索把文本映射为稠密向量,再按余弦相似度查找最接近的片段。与关键词匹配相比,它能找到措辞不同但含义相近的段落。\n\n" +
          "Hybrid search combines BM25 keyword scores with vector\nsimilarity.",
      },
      {
        headings: [],
        page: 2,
        text: "第二章 全文索引\n\n中文没有空格分词,因此全文索引常用二元组切分。错误码 E1024\n这样的精确字符串也需要全文索引才能命中。",
      },
    ]);
  });

  it("reads Chinese set in a non-embedded font (STSong-Light, UniGB-UCS2-H) through pdf.js's predefined CMaps", async () => {
    // Without the CMaps pdf.js finds no text on the page, and the file would fail as having no text layer.
    const document = await parsePdf(fixture("cmap-only.pdf"));
    expect(sectionTexts(document)).toEqual([{ headings: [], page: 1, text: "中文全文检索" }]);
    expect(document.ocr).toBeUndefined();
  });

  it("rejects a password-protected PDF as invalid:encrypted, naming the file", async () => {
    const error = await parsePdf(fixture("encrypted.pdf")).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "invalid:encrypted")).toBe(true);
    expect((error as Error).message).toContain('"encrypted.pdf"');
    expect((error as Error).message).toContain("password");
  });

  it("rejects a garbled PDF as invalid:corrupt, naming the file", async () => {
    const error = await parsePdf(fixture("corrupt.pdf")).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "invalid:corrupt")).toBe(true);
    expect((error as Error).message).toContain('"corrupt.pdf"');
  });

  it("rejects a PDF cut off halfway (pages and fonts missing) as invalid:corrupt", async () => {
    const whole = fixture("zh-two-page.pdf");
    const truncated = {
      name: "truncated.pdf",
      bytes: whole.bytes.subarray(0, Math.floor(whole.bytes.length / 2)),
    };
    const error = await parsePdf(truncated).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "invalid:corrupt")).toBe(true);
    expect((error as Error).message).toContain('"truncated.pdf"');
  });

  it("reads a page without a text layer by OCR, keeping its page number, beside a page with text", async () => {
    const text = ocrFixtureText("zh-gc.txt");
    const scan = await renderTextImage({
      text,
      width: 2480,
      fontSize: 42,
      margin: 240,
      minHeight: 3508,
      format: "jpeg",
      scan: { rotationDegrees: 0.8, noise: 0.005, seed: 3 },
    });
    const bytes = makePdf([{ text: "Chapter 1\nGarbage collection basics" }, { jpeg: scan }]);
    const progress: ParseProgress[] = [];
    const document = await parseWithContext(
      { bytes, name: "scanned.pdf" },
      {
        ocr: createTesseractOcr(),
        maxPixels: DEFAULT_OCR_MAX_PIXELS,
        onProgress: (event) => progress.push(event),
      },
    );
    expect(document.pages).toBe(2);
    expect(progress).toEqual([{ stage: "ocr", page: 2, pages: 2 }]);
    const [first, second] = sectionTexts(document);
    expect(first).toEqual({ headings: [], page: 1, text: "Chapter 1\nGarbage collection basics" });
    expect(second?.page).toBe(2);
    expect(characterErrorRate(text, second!.text)).toBeLessThan(0.05);
    expect(document.ocr).toMatchObject({ engine: "tesseract chi_sim+eng", pages: [2] });
  });
});
