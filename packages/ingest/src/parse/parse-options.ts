import type { OcrEngine, OcrOptions } from "../ocr/ocr-types.js";

/** Progress a parser reports while it works: each page that goes through OCR, before it is recognised. */
export type ParseProgress = {
  stage: "ocr";
  /** 1-based page being recognised (1 for an image). */
  page: number;
  /** Pages of the document (1 for an image). */
  pages: number;
};

/** Options of `parseDocument`: plain data and callbacks, so a parse worker thread can be given the same. */
export interface ParseOptions {
  /** How images and PDF pages without a text layer are recognised; Tesseract's defaults when undefined. */
  ocr?: OcrOptions;
  /** Told before each page that goes through OCR. */
  onProgress?: (progress: ParseProgress) => void;
  /** Stops OCR between pages, and the recognition of the page in progress, once aborted. */
  signal?: AbortSignal;
}

/** What a parser that may need OCR is given besides the file. */
export interface ParseContext {
  /** The OCR engine, built from {@link ParseOptions.ocr}. */
  ocr: OcrEngine;
  /** Largest image to recognise, in pixels: a PDF page is rendered below 300 dpi when it would be larger. */
  maxPixels: number;
  /** Told before each page that goes through OCR. */
  onProgress?: (progress: ParseProgress) => void;
  /** Cancellation. */
  signal?: AbortSignal;
}
