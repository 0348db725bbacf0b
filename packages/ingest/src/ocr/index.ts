export {
  DEFAULT_OCR_LANGUAGES,
  DEFAULT_OCR_MAX_PIXELS,
  type LowConfidenceWord,
  type OcrOptions,
  type OcrReport,
} from "./ocr-types.js";
