import { createCanvas } from "@napi-rs/canvas";
import { describe, expect, it } from "vitest";
import { imageFormatOf, readImageSize } from "./image-size.js";
import { encodePgm } from "./pgm.js";

describe("readImageSize", () => {
  it("reads the format and size of PNG, JPEG and WebP images (lossy and lossless) from their headers", async () => {
    const canvas = createCanvas(321, 123);
    canvas.getContext("2d").fillRect(10, 10, 50, 50);
    const cases = [
      ["png", await canvas.encode("png")],
      ["jpeg", await canvas.encode("jpeg", 80)],
      ["webp", await canvas.encode("webp", 80)],
      ["webp", await canvas.encode("webp", 100)],
    ] as const;
    for (const [format, bytes] of cases) {
      expect(readImageSize(new Uint8Array(bytes)), format).toEqual({ format, width: 321, height: 123 });
    }
  });

  it("reads the PGM it writes for rendered PDF pages", () => {
    const pgm = encodePgm(new Uint8Array(40 * 30).fill(255), 40, 30);
    expect(readImageSize(pgm)).toEqual({ format: "pgm", width: 40, height: 30 });
  });

  it("says nothing of other formats and of images cut short", () => {
    expect(imageFormatOf(new TextEncoder().encode("GIF89a......"))).toBeUndefined();
    expect(readImageSize(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a))).toBeUndefined();
    expect(readImageSize(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0x00))).toBeUndefined();
    // RIFF....WAVE is not a WebP.
    expect(imageFormatOf(new TextEncoder().encode("RIFF\0\0\0\0WAVEfmt "))).toBeUndefined();
  });
});
