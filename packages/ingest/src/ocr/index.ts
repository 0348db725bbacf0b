export { type ImageFormat, type ImageSize, imageFormatOf, readImageSize } from "./image-size.js";
export { buildOcrReport } from "./ocr-report.js";
export {
  DEFAULT_OCR_LANGUAGES,
  DEFAULT_OCR_MAX_PIXELS,
  DEFAULT_OCR_MIN_CONFIDENCE,
  type LowConfidenceWord,
  MAX_REPORTED_LOW_CONFIDENCE_WORDS,
  type OcrEngine,
  type OcrLine,
  type OcrOptions,
  type OcrPage,
  type OcrReport,
  type OcrWord,
} from "./ocr-types.js";
export { createTesseractOcr } from "./tesseract.js";
export { parseTesseractTsv } from "./tesseract-tsv.js";
