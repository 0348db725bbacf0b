import { MAX_REPORTED_LOW_CONFIDENCE_WORDS, type OcrPage, type OcrReport } from "./ocr-types.js";

/**
 * The report of a document's OCR from its recognised pages: the pages, the mean confidence weighted by each
 * page's characters, and the low-confidence words with their page (at most {@link MAX_REPORTED_LOW_CONFIDENCE_WORDS}).
 */
export function buildOcrReport(
  engine: string,
  pages: readonly { page: number; result: OcrPage }[],
): OcrReport {
  let weight = 0;
  let sum = 0;
  for (const { result } of pages) {
    const characters = result.lines.reduce((total, line) => total + line.text.length, 0);
    weight += characters;
    sum += characters * result.confidence;
  }
  const lowConfidence = pages.flatMap(({ page, result }) =>
    result.lowConfidence.map((word) => ({ ...word, page })),
  );
  return {
    engine,
    pages: pages.map(({ page }) => page),
    confidence: weight === 0 ? 0 : Math.round((sum / weight) * 10) / 10,
    lowConfidence: lowConfidence.slice(0, MAX_REPORTED_LOW_CONFIDENCE_WORDS),
    lowConfidenceCount: lowConfidence.length,
  };
}
