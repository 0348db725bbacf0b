import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { createTesseractOcr } from "./tesseract.js";
import { characterErrorRate, ocrFixtureText, renderTextImage } from "./test-support.js";

const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error,
  );

/** A PNG whose header claims `width`×`height` pixels; nothing may decode it before the size is checked. */
function pngHeader(width: number, height: number): Uint8Array {
  const bytes = new Uint8Array(33);
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const view = new DataView(bytes.buffer);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return bytes;
}

describe("createTesseractOcr", () => {
  it("reads a rendered English screenshot in reading order, nearly without errors", async () => {
    const text = ocrFixtureText("en-primer.txt");
    const image = await renderTextImage({ text, width: 1280, fontSize: 18 });
    const page = await createTesseractOcr({ languages: "eng" }).recognize({ image, file: "primer.png" });
    const paragraphs = page.text.split("\n\n");
    expect(paragraphs).toHaveLength(3);
    expect(paragraphs[0]).toContain("is scalable if it results in increased performance");
    expect(paragraphs[1]).toContain("DNS is hierarchical");
    expect(paragraphs[2]).toContain("content delivery network (CDN)");
    // Bench/ocr measures well under 1% on this fixture; 3% leaves room for another Tesseract build.
    expect(characterErrorRate(text, page.text)).toBeLessThan(0.03);
    expect(page.confidence).toBeGreaterThan(80);
  });

  it("fails with unsupported:ocr naming the file and the package when the tesseract command is missing", async () => {
    const ocr = createTesseractOcr({ command: "zhiku-no-such-tesseract" });
    const image = await renderTextImage({ text: "hello", width: 200, fontSize: 18 });
    const error = await failure(ocr.recognize({ image, file: "scan.pdf" }));
    expect(isZhikuError(error, "unsupported:ocr")).toBe(true);
    expect((error as Error).message).toContain('"scan.pdf"');
    expect((error as Error).message).toContain("not installed");
    expect((error as Error).message).toContain("tesseract-ocr-chi-sim");
  });

  it("fails with unsupported:ocr naming the missing language pack and OCR_LANGUAGES", async () => {
    const ocr = createTesseractOcr({ languages: "chi_sim+zzz_missing" });
    const image = await renderTextImage({ text: "hello", width: 200, fontSize: 18 });
    const error = await failure(ocr.recognize({ image, file: "photo.jpg" }));
    expect(isZhikuError(error, "unsupported:ocr")).toBe(true);
    expect((error as Error).message).toMatch(
      /"photo\.jpg".*OCR_LANGUAGES.*zzz_missing.*tesseract-ocr-zzz-missing/,
    );
  });

  it("refuses an image over the pixel limit with too_large:image before decoding it", async () => {
    const error = await failure(
      createTesseractOcr({ maxPixels: 1_000_000 }).recognize({
        image: pngHeader(2000, 1000),
        file: "huge.png",
      }),
    );
    expect(isZhikuError(error, "too_large:image")).toBe(true);
    expect((error as Error).message).toMatch(/"huge\.png" is 2000×1000 pixels \(2\.0 MP\), over the 1\.0 MP/);
  });

  it("fails with invalid:corrupt on an image Tesseract cannot read, naming the file", async () => {
    const error = await failure(
      createTesseractOcr().recognize({ image: pngHeader(100, 100), file: "cut.png" }),
    );
    expect(isZhikuError(error, "invalid:corrupt")).toBe(true);
    expect((error as Error).message).toContain('"cut.png"');
  });
});
