import type { SKRSContext2D } from "@napi-rs/canvas";

/**
 * Encodes 8-bit grey pixels (one byte a pixel, row by row) as a binary PGM image, which Tesseract reads as it reads
 * PNG, without the cost of compressing (seconds for a 300 dpi page as PNG, a fraction of one as PGM: docs/ocr.md).
 */
export function encodePgm(pixels: Uint8Array, width: number, height: number): Uint8Array {
  const header = new TextEncoder().encode(`P5\n${width} ${height}\n255\n`);
  const image = new Uint8Array(header.length + pixels.length);
  image.set(header);
  image.set(pixels, header.length);
  return image;
}

/** What is drawn on a canvas, in grey, as a PGM image for OCR (Tesseract works on grey anyway). */
export function canvasToPgm(context: SKRSContext2D, width: number, height: number): Uint8Array {
  const rgba = context.getImageData(0, 0, width, height).data;
  const grey = new Uint8Array(width * height);
  for (let pixel = 0; pixel < grey.length; pixel += 1) {
    const offset = pixel * 4;
    grey[pixel] = (rgba[offset]! * 299 + rgba[offset + 1]! * 587 + rgba[offset + 2]! * 114) / 1000;
  }
  return encodePgm(grey, width, height);
}
