import { isWhitespaceCode } from "./count-tokens.js";

/** A half-open range of document offsets. */
export interface Range {
  start: number;
  end: number;
}

/**
 * Splits `text[start, end)` into pieces at one kind of boundary. Every piece is trimmed of whitespace and
 * non-empty; together the pieces cover every non-whitespace character of the range, in order.
 */
export type Splitter = (text: string, start: number, end: number) => Range[];

/** Pushes `text[start, end)` trimmed of whitespace, unless nothing is left. */
export function pushTrimmed(text: string, start: number, end: number, pieces: Range[]): void {
  let from = start;
  let to = end;
  while (from < to && isWhitespaceCode(text.charCodeAt(from))) from++;
  while (to > from && isWhitespaceCode(text.charCodeAt(to - 1))) to--;
  if (from < to) pieces.push({ start: from, end: to });
}

/** Splits at whitespace runs holding at least `minimumNewlines` line feeds. */
function splitAtNewlines(text: string, start: number, end: number, minimumNewlines: number): Range[] {
  const pieces: Range[] = [];
  let pieceStart = start;
  let searchFrom = start;
  for (;;) {
    const newline = text.indexOf("\n", searchFrom);
    if (newline < 0 || newline >= end) break;
    let runStart = newline;
    while (runStart > pieceStart && isWhitespaceCode(text.charCodeAt(runStart - 1))) runStart--;
    let runEnd = newline + 1;
    let newlines = 1;
    while (runEnd < end) {
      const code = text.charCodeAt(runEnd);
      if (!isWhitespaceCode(code)) break;
      if (code === 10) newlines++;
      runEnd++;
    }
    if (newlines >= minimumNewlines) {
      pushTrimmed(text, pieceStart, runStart, pieces);
      pieceStart = runEnd;
    }
    searchFrom = runEnd;
  }
  pushTrimmed(text, pieceStart, end, pieces);
  return pieces;
}

/** Paragraphs: pieces separated by a blank line (a whitespace run with two or more line feeds). */
export const splitParagraphs: Splitter = (text, start, end) => splitAtNewlines(text, start, end, 2);

/** Lines: pieces separated by line feeds. */
export const splitLines: Splitter = (text, start, end) => splitAtNewlines(text, start, end, 1);

/** Words: pieces separated by any whitespace. */
export const splitWords: Splitter = (text, start, end) => {
  const pieces: Range[] = [];
  let pieceStart = -1;
  for (let index = start; index < end; index++) {
    if (isWhitespaceCode(text.charCodeAt(index))) {
      if (pieceStart >= 0) {
        pieces.push({ start: pieceStart, end: index });
        pieceStart = -1;
      }
    } else if (pieceStart < 0) pieceStart = index;
  }
  if (pieceStart >= 0) pieces.push({ start: pieceStart, end });
  return pieces;
};

/** Sentence ends that need no following space: 。！？； and the ideographic full stop variants. */
const CJK_SENTENCE_ENDS = new Set([0x3002, 0xff01, 0xff1f, 0xff1b, 0xff0e, 0xff61]);
/** Sentence ends that count only before whitespace: . ! ? ; */
const LATIN_SENTENCE_ENDS = new Set([0x2e, 0x21, 0x3f, 0x3b]);
/** Clause ends that need no following space: ，、： */
const CJK_CLAUSE_ENDS = new Set([0xff0c, 0x3001, 0xff1a]);
/** Clause ends that count only before whitespace: , : */
const LATIN_CLAUSE_ENDS = new Set([0x2c, 0x3a]);
/** Characters that close a sentence after its end mark: quotes and brackets, ASCII and full-width. */
const CLOSERS = new Set([
  0x22, 0x27, 0x29, 0x5d, 0x7d, 0x201d, 0x2019, 0x300d, 0x300f, 0xff09, 0x300b, 0x3011, 0x3009, 0xff3d,
  0x2026,
]);

/** Words that end in a full stop without ending a sentence ("e.g. this", "Fig. 3"). */
const ABBREVIATIONS = new Set([
  "e.g.",
  "i.e.",
  "etc.",
  "vs.",
  "cf.",
  "al.",
  "fig.",
  "figs.",
  "no.",
  "nos.",
  "vol.",
  "pp.",
  "p.",
  "approx.",
  "incl.",
  "esp.",
  "mr.",
  "mrs.",
  "ms.",
  "dr.",
  "prof.",
  "st.",
  "jr.",
  "sr.",
  "inc.",
  "ltd.",
  "co.",
  "corp.",
]);

/** True when the full stop at `dot` ends an abbreviation or an initial rather than a sentence. */
function isAbbreviation(text: string, rangeStart: number, dot: number): boolean {
  let wordStart = dot;
  while (wordStart > rangeStart && !isWhitespaceCode(text.charCodeAt(wordStart - 1))) wordStart--;
  // Leading brackets or quotes do not belong to the word: "(e.g. this)".
  while (wordStart < dot && CLOSERS.has(text.charCodeAt(wordStart))) wordStart++;
  const word = text.slice(wordStart, dot + 1).toLowerCase();
  if (word.startsWith("(") || word.startsWith("[")) return ABBREVIATIONS.has(word.slice(1));
  if (ABBREVIATIONS.has(word)) return true;
  // Initials and dotted acronyms: "J. Smith", "U.S. law".
  return /^(?:\p{Lu}\.)+$/u.test(text.slice(wordStart, dot + 1));
}

/**
 * Splits after end marks: the CJK marks in `cjkEnds` always end a piece, the Latin marks in `latinEnds` only
 * when followed by whitespace (so "3.14", "node.js" and "a;b" stay whole). Closing quotes and brackets after
 * the mark stay with the piece.
 */
function splitAfterMarks(
  text: string,
  start: number,
  end: number,
  cjkEnds: Set<number>,
  latinEnds: Set<number>,
): Range[] {
  const pieces: Range[] = [];
  let pieceStart = start;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index);
    const isCjk = cjkEnds.has(code);
    if (!isCjk && !latinEnds.has(code)) continue;
    let boundary = index + 1;
    while (boundary < end) {
      const next = text.charCodeAt(boundary);
      if (cjkEnds.has(next) || latinEnds.has(next) || CLOSERS.has(next)) boundary++;
      else break;
    }
    if (boundary >= end) break;
    if (!isCjk) {
      if (!isWhitespaceCode(text.charCodeAt(boundary))) {
        index = boundary - 1;
        continue;
      }
      if (code === 0x2e && boundary === index + 1 && isAbbreviation(text, start, index)) continue;
    }
    pushTrimmed(text, pieceStart, boundary, pieces);
    pieceStart = boundary;
    index = boundary - 1;
  }
  pushTrimmed(text, pieceStart, end, pieces);
  return pieces;
}

/** Sentences: after 。！？； anywhere, and after . ! ? ; followed by whitespace (not after "e.g." or "Dr."). */
export const splitSentences: Splitter = (text, start, end) =>
  splitAfterMarks(text, start, end, CJK_SENTENCE_ENDS, LATIN_SENTENCE_ENDS);

/** Clauses: after ，、： anywhere, and after , : followed by whitespace. */
export const splitClauses: Splitter = (text, start, end) =>
  splitAfterMarks(text, start, end, CJK_CLAUSE_ENDS, LATIN_CLAUSE_ENDS);
