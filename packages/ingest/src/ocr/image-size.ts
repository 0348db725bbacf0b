/**
 * An image format OCR reads: the uploadable PNG, JPEG and WebP, and binary PGM, which only Zhiku itself writes (PDF
 * pages rendered for OCR: encoding a 300 dpi page as PNG takes seconds, PGM a fraction of one).
 */
export type ImageFormat = "png" | "jpeg" | "webp" | "pgm";

/** The format and pixel size of an encoded image, read from its header. */
export interface ImageSize {
  format: ImageFormat;
  width: number;
  height: number;
}

function startsWith(bytes: Uint8Array, signature: readonly number[], offset = 0): boolean {
  return (
    bytes.length >= offset + signature.length &&
    signature.every((value, index) => bytes[offset + index] === value)
  );
}

/** The image format the first bytes announce, if it is one OCR reads. */
export function imageFormatOf(bytes: Uint8Array): ImageFormat | undefined {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return "png";
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return "jpeg";
  // RIFF....WEBP
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return "webp";
  // "P5" and whitespace.
  if (startsWith(bytes, [0x50, 0x35]) && /\s/.test(String.fromCharCode(bytes[2] ?? 0))) return "pgm";
  return undefined;
}

function pgmSize(bytes: Uint8Array): Omit<ImageSize, "format"> | undefined {
  const header = /^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/.exec(
    new TextDecoder("latin1").decode(bytes.subarray(0, 64)),
  );
  if (!header) return undefined;
  return { width: Number(header[1]), height: Number(header[2]) };
}

function pngSize(view: DataView): Omit<ImageSize, "format"> | undefined {
  // Signature (8), IHDR length (4), "IHDR" (4), width (4), height (4).
  if (view.byteLength < 24 || view.getUint32(12) !== 0x49484452) return undefined;
  return { width: view.getUint32(16), height: view.getUint32(20) };
}

function jpegSize(view: DataView): Omit<ImageSize, "format"> | undefined {
  let offset = 2;
  while (offset + 4 <= view.byteLength) {
    if (view.getUint8(offset) !== 0xff) return undefined;
    const marker = view.getUint8(offset + 1);
    // Fill bytes, and markers without a length.
    if (marker === 0xff) {
      offset += 1;
      continue;
    }
    if (marker === 0xd8 || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const length = view.getUint16(offset + 2);
    // Start-of-frame markers (baseline, progressive, lossless...), not DHT (c4), JPG (c8) or DAC (cc).
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (offset + 9 > view.byteLength) return undefined;
      return { height: view.getUint16(offset + 5), width: view.getUint16(offset + 7) };
    }
    if (length < 2) return undefined;
    offset += 2 + length;
  }
  return undefined;
}

function webpSize(view: DataView): Omit<ImageSize, "format"> | undefined {
  if (view.byteLength < 30) return undefined;
  const chunk = String.fromCharCode(
    view.getUint8(12),
    view.getUint8(13),
    view.getUint8(14),
    view.getUint8(15),
  );
  if (chunk === "VP8 ") {
    // Frame tag (3), start code (3), then 14-bit width and height.
    return { width: view.getUint16(26, true) & 0x3fff, height: view.getUint16(28, true) & 0x3fff };
  }
  if (chunk === "VP8L") {
    const bits = view.getUint32(21, true);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === "VP8X") {
    const width = 1 + (view.getUint8(24) | (view.getUint8(25) << 8) | (view.getUint8(26) << 16));
    const height = 1 + (view.getUint8(27) | (view.getUint8(28) << 8) | (view.getUint8(29) << 16));
    return { width, height };
  }
  return undefined;
}

/**
 * The format and pixel size of a PNG, JPEG, WebP or PGM image from its header alone, without decoding it (so a
 * decompression bomb is refused before it is expanded). Undefined when the bytes are not such an image or its header
 * is cut short or damaged.
 */
export function readImageSize(bytes: Uint8Array): ImageSize | undefined {
  const format = imageFormatOf(bytes);
  if (!format) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size =
    format === "png"
      ? pngSize(view)
      : format === "jpeg"
        ? jpegSize(view)
        : format === "webp"
          ? webpSize(view)
          : pgmSize(bytes);
  if (!size || size.width === 0 || size.height === 0) return undefined;
  return { format, ...size };
}
