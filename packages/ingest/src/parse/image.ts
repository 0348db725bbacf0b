import { createCanvas, loadImage } from "@napi-rs/canvas";
import { ZhikuError } from "../errors.js";
import { readImageSize } from "../ocr/image-size.js";
import { buildOcrReport } from "../ocr/ocr-report.js";
import { canvasToPgm } from "../ocr/pgm.js";
import type { ParsedDocument } from "../types.js";
import type { DocumentInput } from "./detect-type.js";
import type { ParseContext } from "./parse-options.js";

/**
 * Images whose longer side is below this many pixels (screenshots, low-resolution scans) are enlarged twice before
 * OCR: Tesseract misreads small type. On the screenshot fixtures (13 to 18 px type) that took the Chinese CER from
 * 2–7% to 0.4–1.1% and the English from up to 1.2% to 0% (docs/ocr.md); a 300 dpi scan is larger and read as it is.
 */
const UPSCALE_BELOW_PIXELS = 2000;

/** The image as Tesseract should get it: twice its size in grey when it is small, else its own bytes. */
async function prepareForOcr(input: DocumentInput): Promise<Uint8Array> {
  const size = readImageSize(input.bytes);
  if (!size || Math.max(size.width, size.height) >= UPSCALE_BELOW_PIXELS) return input.bytes;
  let image: Awaited<ReturnType<typeof loadImage>>;
  try {
    image = await loadImage(Buffer.from(input.bytes));
  } catch (error) {
    throw new ZhikuError(
      "invalid:corrupt",
      `"${input.name}" is a damaged ${size.format} image: ${(error as Error).message}`,
      {
        cause: error,
        file: input.name,
      },
    );
  }
  const width = size.width * 2;
  const height = size.height * 2;
  const canvas = createCanvas(width, height);
  const context = canvas.getContext("2d");
  // Transparent screenshots: text on white, as on the screen they came from.
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  context.imageSmoothingQuality = "high";
  context.drawImage(image, 0, 0, width, height);
  return canvasToPgm(context, width, height);
}

/**
 * Reads a PNG, JPEG or WebP image (a screenshot, a photographed or scanned page) by OCR: one page, reported as
 * `{ stage: "ocr", page: 1, pages: 1 }` first, its text lines in reading order in one section on page 1, with the
 * document's `ocr` report (confidence, low-confidence words). A small image is enlarged twice first. Fails with
 * `too_large:image` over the pixel limit, `unsupported:ocr` when OCR is not installed, `invalid:corrupt` for a
 * damaged image, `invalid:empty` when no text is found.
 */
export async function parseImage(input: DocumentInput, context: ParseContext): Promise<ParsedDocument> {
  context.signal?.throwIfAborted();
  context.onProgress?.({ stage: "ocr", page: 1, pages: 1 });
  const result = await context.ocr.recognize({
    image: await prepareForOcr(input),
    file: input.name,
    ...(context.signal ? { signal: context.signal } : {}),
  });
  if (!result.text) {
    throw new ZhikuError("invalid:empty", `"${input.name}": OCR found no text in the image.`, {
      file: input.name,
    });
  }
  return {
    type: "image",
    text: result.text,
    sections: [{ headings: [], page: 1, start: 0, end: result.text.length }],
    pages: 1,
    ocr: buildOcrReport(context.ocr.name, [{ page: 1, result }]),
  };
}
