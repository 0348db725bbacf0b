/** One recognised word (for Chinese, often one or two characters) with the engine's confidence. */
export interface OcrWord {
  /** The word as recognised. */
  text: string;
  /** The engine's confidence in the word, 0 to 100. */
  confidence: number;
  /** Left edge of the word's box, in pixels of the recognised image. */
  left: number;
  /** Top edge of the word's box, in pixels. */
  top: number;
  /** Width of the word's box, in pixels. */
  width: number;
  /** Height of the word's box, in pixels. */
  height: number;
}

/** One text line of a recognised image, its words left to right. */
export interface OcrLine {
  /** The line's words joined: a space between words, none between Chinese characters. */
  text: string;
  /** Mean confidence of the line's words, weighted by their length, 0 to 100. */
  confidence: number;
  /** The line's words, left to right. */
  words: OcrWord[];
  /** Index of the paragraph the line belongs to, in reading order from 0. */
  paragraph: number;
}

/** A word the engine was unsure of, reported with the document so a reader knows where the text may be wrong. */
export interface LowConfidenceWord {
  /** 1-based page of the document (1 for an image). */
  page: number;
  /** 1-based line of the page's recognised text. */
  line: number;
  /** The word as recognised. */
  text: string;
  /** The engine's confidence, 0 to 100 (below the threshold). */
  confidence: number;
}

/** What OCR made of one image: its lines in reading order and the page text built from them. */
export interface OcrPage {
  /** Lines in reading order. */
  lines: OcrLine[];
  /** The page text: lines of a paragraph joined (without a break inside wrapped Chinese), paragraphs by a blank line. */
  text: string;
  /** Mean confidence over the page's words, weighted by their length, 0 to 100; 0 when nothing was recognised. */
  confidence: number;
  /** Words whose confidence is below the engine's threshold, with their 1-based line (page set to 1). */
  lowConfidence: LowConfidenceWord[];
}

/** Settings of OCR, plain data so they can cross to a parse worker thread. */
export interface OcrOptions {
  /** Tesseract languages joined by `+` (`OCR_LANGUAGES`). Default {@link DEFAULT_OCR_LANGUAGES}. */
  languages?: string;
  /** The tesseract executable, a name looked up on `PATH` or a path. Default `tesseract`. */
  command?: string;
  /** Images with more pixels than this fail with `too_large:image`. Default {@link DEFAULT_OCR_MAX_PIXELS}. */
  maxPixels?: number;
  /** Words below this confidence (0 to 100) are reported as low-confidence. Default {@link DEFAULT_OCR_MIN_CONFIDENCE}. */
  minConfidence?: number;
}

/** What OCR reports about a document it read: which pages, how sure it was, and the words it doubts. */
export interface OcrReport {
  /** The engine and its languages, e.g. `tesseract chi_sim+eng`. */
  engine: string;
  /** 1-based pages that were recognised by OCR (every page of an image-only PDF; `[1]` for an image). */
  pages: number[];
  /** Mean word confidence over those pages, 0 to 100. */
  confidence: number;
  /** Words below the confidence threshold, at most {@link MAX_REPORTED_LOW_CONFIDENCE_WORDS}, in reading order. */
  lowConfidence: LowConfidenceWord[];
  /** How many low-confidence words there were in all, including those not listed. */
  lowConfidenceCount: number;
}

/** Recognises the text of one image; see `createTesseractOcr`. */
export interface OcrEngine {
  /** Engine and languages, e.g. `tesseract chi_sim+eng`. */
  readonly name: string;
  /**
   * Recognises an encoded image: PNG, JPEG or WebP bytes, or the PGM of a rendered PDF page.
   * @throws ZhikuError `unsupported:ocr` naming `file` when the engine or a language is not installed.
   */
  recognize(options: {
    /** The encoded image. */
    image: Uint8Array;
    /** The document the image is (a page of), for error messages. */
    file: string;
    /** The image's resolution, when known (a rendered PDF page); the engine estimates it otherwise. */
    dpi?: number;
    /** Stops the recognition once aborted. */
    signal?: AbortSignal;
  }): Promise<OcrPage>;
}

/** Default `OCR_LANGUAGES`: Simplified Chinese and English. */
export const DEFAULT_OCR_LANGUAGES = "chi_sim+eng";

/** Default pixel limit of an image to recognise: 40 megapixels, well above a 300 dpi A3 page (35 MP). */
export const DEFAULT_OCR_MAX_PIXELS = 40_000_000;

/**
 * Default low-confidence threshold. On the fixtures of bench/ocr (screenshots and scans, Chinese and English) the
 * mean word confidence is 92 to 96 and 60 flags 1 to 2% of the words; by the bench's rough check (a word not found
 * in the true text) a third of the flagged words are misread, and about as many misread words stay above 60. The
 * flag points a reader at doubtful places; it does not find every error (docs/ocr.md).
 */
export const DEFAULT_OCR_MIN_CONFIDENCE = 60;

/** At most this many low-confidence words are listed in an {@link OcrReport}; the count says how many there were. */
export const MAX_REPORTED_LOW_CONFIDENCE_WORDS = 200;
