import { createCanvas } from "@napi-rs/canvas";
import type { PDFPageProxy } from "pdfjs-dist/types/src/display/api.js";
import { ZhikuError } from "../errors.js";
import { canvasToPgm } from "../ocr/pgm.js";

/** Resolution scans are rendered at for OCR: what Tesseract is trained for. */
const OCR_RENDER_DPI = 300;

/**
 * Renders a PDF page to a grey PGM image for OCR (Tesseract works on grey anyway; PNG would cost seconds a page to
 * compress), on white, at {@link OCR_RENDER_DPI} or lower when the page would exceed
 * `maxPixels` at that resolution (a poster-sized page), so it never fails for its size alone.
 * @throws ZhikuError `invalid:corrupt` naming `file` when pdf.js cannot draw the page.
 */
export async function renderPdfPage(options: {
  /** The page, from pdf.js. */
  page: PDFPageProxy;
  /** Largest number of pixels of the rendered image. */
  maxPixels: number;
  /** The page's name in error messages, e.g. `scan.pdf (page 2)`. */
  file: string;
}): Promise<{ image: Uint8Array; dpi: number }> {
  const { page, maxPixels, file } = options;
  const unit = page.getViewport({ scale: 1 });
  const fullScale = OCR_RENDER_DPI / 72;
  const scale = Math.min(fullScale, Math.sqrt(maxPixels / Math.max(1, unit.width * unit.height)));
  const viewport = page.getViewport({ scale });
  const width = Math.max(1, Math.floor(viewport.width));
  const height = Math.max(1, Math.floor(viewport.height));
  const canvas = createCanvas(width, height);
  const context = canvas.getContext("2d");
  context.fillStyle = "#ffffff";
  context.fillRect(0, 0, width, height);
  try {
    await page.render({
      // pdf.js draws on a canvas of @napi-rs/canvas in Node (its own Node canvas factory uses the same package).
      canvas: canvas as never,
      viewport,
      background: "#ffffff",
    }).promise;
  } catch (error) {
    throw new ZhikuError(
      "invalid:corrupt",
      `"${file}" could not be rendered for OCR: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  return { image: canvasToPgm(context, width, height), dpi: scale * 72 };
}
