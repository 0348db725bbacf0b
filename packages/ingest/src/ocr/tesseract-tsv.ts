import { isCjk } from "../parse/cjk.js";
import type { LowConfidenceWord, OcrLine, OcrPage, OcrWord } from "./ocr-types.js";

/** A line as Tesseract grouped it, before stray fragments are put back. */
interface RawLine {
  /** `block.paragraph` of Tesseract's layout. */
  paragraphKey: string;
  /** How many lines Tesseract put into the line's block. */
  blockLines: number;
  words: OcrWord[];
}

interface Box {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Column positions of Tesseract's TSV output (`tesseract … tsv`), from its header line. */
const columns = [
  "level",
  "page_num",
  "block_num",
  "par_num",
  "line_num",
  "word_num",
  "left",
  "top",
  "width",
  "height",
  "conf",
  "text",
] as const;

/** A fragment of at most this many characters, alone in its block, may be a piece Tesseract cut off a line. */
const STRAY_FRAGMENT_CHARACTERS = 6;

function boxOf(words: readonly OcrWord[]): Box {
  return {
    left: Math.min(...words.map((word) => word.left)),
    top: Math.min(...words.map((word) => word.top)),
    right: Math.max(...words.map((word) => word.left + word.width)),
    bottom: Math.max(...words.map((word) => word.top + word.height)),
  };
}

/** Joins two pieces of text with a space, except between two characters of a script written without spaces. */
function joinWords(left: string, right: string): string {
  if (left.length === 0) return right;
  return isCjk(left.at(-1)) && isCjk(right[0]) ? left + right : `${left} ${right}`;
}

function weightedConfidence(words: readonly OcrWord[]): number {
  let weight = 0;
  let sum = 0;
  for (const word of words) {
    weight += word.text.length;
    sum += word.text.length * word.confidence;
  }
  return weight === 0 ? 0 : sum / weight;
}

function readRows(tsv: string): Map<string, RawLine> {
  const lines = new Map<string, RawLine>();
  const blockLineCounts = new Map<string, Set<string>>();
  const rows = tsv.split(/\r?\n/);
  const header = rows[0]?.split("\t") ?? [];
  if (columns.some((column, index) => header[index] !== column)) {
    throw new Error(`unexpected Tesseract TSV header: ${rows[0]?.slice(0, 120) ?? "(none)"}`);
  }
  for (const row of rows.slice(1)) {
    const cells = row.split("\t");
    if (cells.length < columns.length || cells[0] !== "5") continue;
    // The text is the last column and may itself hold a tab only in theory; keep everything after the eleventh.
    const text = cells.slice(11).join("\t").trim();
    const confidence = Number(cells[10]);
    if (text.length === 0 || !Number.isFinite(confidence) || confidence < 0) continue;
    const [, page, block, paragraph, line] = cells;
    const blockKey = `${page}.${block}`;
    const paragraphKey = `${blockKey}.${paragraph}`;
    const lineKey = `${paragraphKey}.${line}`;
    const word: OcrWord = {
      text,
      confidence,
      left: Number(cells[6]),
      top: Number(cells[7]),
      width: Number(cells[8]),
      height: Number(cells[9]),
    };
    let entry = lines.get(lineKey);
    if (!entry) {
      entry = { paragraphKey, blockLines: 0, words: [] };
      lines.set(lineKey, entry);
    }
    entry.words.push(word);
    let blockLines = blockLineCounts.get(blockKey);
    if (!blockLines) {
      blockLines = new Set();
      blockLineCounts.set(blockKey, blockLines);
    }
    blockLines.add(lineKey);
  }
  for (const [key, line] of lines) {
    const blockKey = key.split(".").slice(0, 2).join(".");
    line.blockLines = blockLineCounts.get(blockKey)?.size ?? 1;
  }
  return lines;
}

/**
 * Whether `fragment` continues `line` on the same row: it overlaps the line vertically by half its height or more
 * and starts right of it, within a few character heights (a column further right is farther than that).
 */
function continuesLine(line: Box, fragment: Box): boolean {
  const height = Math.min(line.bottom - line.top, fragment.bottom - fragment.top);
  const overlap = Math.min(line.bottom, fragment.bottom) - Math.max(line.top, fragment.top);
  const gap = fragment.left - line.right;
  return height > 0 && overlap >= height * 0.5 && gap >= -height * 0.5 && gap <= height * 3;
}

/**
 * Turns Tesseract's TSV output into lines in reading order. Tesseract's layout analysis orders blocks, paragraphs
 * and lines; three things are put right here: words are ordered left to right within a line, a short fragment
 * Tesseract cut off the end of a line into a block of its own (it then comes after the whole page) is put back at
 * the end of the line it continues, and a paragraph is split where the gap between two of its lines is clearly
 * wider than the usual line pitch. Empty words and rows without a confidence are dropped. Words below
 * `minConfidence` are listed in `lowConfidence` with their 1-based line (page 1: the caller sets the page).
 * @throws Error when the text is not Tesseract TSV (no header).
 */
export function parseTesseractTsv(tsv: string, options: { minConfidence: number }): OcrPage {
  const raw = [...readRows(tsv).values()];
  const placed: { paragraphKey: string; words: OcrWord[]; box: Box }[] = [];
  for (const line of raw) {
    const characters = line.words.reduce((sum, word) => sum + word.text.length, 0);
    const box = boxOf(line.words);
    if (line.blockLines === 1 && characters <= STRAY_FRAGMENT_CHARACTERS) {
      const host = placed.find((candidate) => continuesLine(candidate.box, box));
      if (host) {
        host.words.push(...line.words);
        host.box = boxOf(host.words);
        continue;
      }
    }
    placed.push({ paragraphKey: line.paragraphKey, words: [...line.words], box });
  }

  const wideGapAfter = wideLineGaps(placed);
  let paragraph = -1;
  const lines: OcrLine[] = placed.map((line, index) => {
    const words = [...line.words].sort((a, b) => a.left - b.left);
    if (index === 0 || line.paragraphKey !== placed[index - 1]!.paragraphKey || wideGapAfter.has(index - 1)) {
      paragraph += 1;
    }
    return {
      text: words.reduce((text, word) => joinWords(text, word.text), ""),
      confidence: weightedConfidence(words),
      words,
      paragraph,
    };
  });

  const lowConfidence: LowConfidenceWord[] = [];
  lines.forEach((line, index) => {
    for (const word of line.words) {
      if (word.confidence < options.minConfidence) {
        lowConfidence.push({ page: 1, line: index + 1, text: word.text, confidence: word.confidence });
      }
    }
  });
  return {
    lines,
    text: pageText(lines),
    confidence: weightedConfidence(lines.flatMap((line) => line.words)),
    lowConfidence,
  };
}

/**
 * Lines (by index) followed, inside one Tesseract paragraph, by a gap clearly wider than the page's usual line pitch
 * (more than 1.35 times the median): Tesseract sometimes runs two paragraphs together, most often after a paragraph
 * of one line, and the extra space between them is what a reader sees. Needs a few pitches to know the usual one.
 */
function wideLineGaps(lines: readonly { paragraphKey: string; box: Box }[]): Set<number> {
  const pitches: { after: number; pitch: number }[] = [];
  for (let index = 1; index < lines.length; index += 1) {
    const previous = lines[index - 1]!;
    const line = lines[index]!;
    const pitch = line.box.top - previous.box.top;
    if (line.paragraphKey === previous.paragraphKey && pitch > 0) pitches.push({ after: index - 1, pitch });
  }
  if (pitches.length < 3) return new Set();
  const sorted = pitches.map((entry) => entry.pitch).sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)]!;
  return new Set(pitches.filter((entry) => entry.pitch > median * 1.35).map((entry) => entry.after));
}

/**
 * Page text from lines in reading order: paragraphs apart by a blank line; within a paragraph a line that wrapped
 * inside Chinese text joins the next without a break (so a word is not cut in two), other lines keep their break.
 */
function pageText(lines: readonly OcrLine[]): string {
  let text = "";
  let previous: OcrLine | undefined;
  for (const line of lines) {
    if (previous) {
      if (line.paragraph !== previous.paragraph) text += "\n\n";
      else if (!(isCjk(previous.text.at(-1)) && isCjk(line.text[0]))) text += "\n";
    }
    text += line.text;
    previous = line;
  }
  return text;
}
