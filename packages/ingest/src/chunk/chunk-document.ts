import { ZhikuError } from "../errors.js";
import type { Chunk, ChunkOptions, ParsedDocument, Section } from "../types.js";
import {
  pushTrimmed,
  type Range,
  type Splitter,
  splitClauses,
  splitLines,
  splitParagraphs,
  splitSentences,
  splitWords,
} from "./boundaries.js";
import { countTokens, isIdeographCode, isWhitespaceCode, TokenPrefix } from "./count-tokens.js";

/** Default chunk size in tokens. */
export const DEFAULT_CHUNK_SIZE = 500;
/** Default overlap in tokens (15% of the default size). */
export const DEFAULT_CHUNK_OVERLAP = 75;

/**
 * Boundaries from strongest to weakest. A range too big for one chunk is split at the strongest boundary it
 * contains; pieces still too big go down a level; characters are the last resort.
 */
const SPLITTERS: Splitter[] = [splitParagraphs, splitLines, splitSentences, splitClauses, splitWords];

/** Validated chunking settings. */
interface Settings {
  chunkSize: number;
  chunkOverlap: number;
}

function resolveSettings(options: ChunkOptions | undefined): Settings {
  const chunkSize = options?.chunkSize ?? DEFAULT_CHUNK_SIZE;
  const chunkOverlap = options?.chunkOverlap ?? DEFAULT_CHUNK_OVERLAP;
  if (!Number.isInteger(chunkSize) || chunkSize < 1) {
    throw new ZhikuError("invalid:input", `chunkSize must be a positive integer, got ${chunkSize}`);
  }
  if (!Number.isInteger(chunkOverlap) || chunkOverlap < 0 || chunkOverlap >= chunkSize) {
    throw new ZhikuError(
      "invalid:input",
      `chunkOverlap must be an integer from 0 to chunkSize - 1 (${chunkSize - 1}), got ${chunkOverlap}`,
    );
  }
  return { chunkSize, chunkOverlap };
}

/**
 * Splits a parsed document into chunks for embedding and retrieval.
 *
 * Chunks never span two sections, so each carries the exact heading path and page of its text. Within a
 * section the text is split at the strongest boundary that makes pieces fit `chunkSize` tokens: blank lines,
 * then line breaks, then sentence ends (。！？； and . ! ? ; before a space, not "3.14" or "e.g."), then clause
 * marks (，、： and , : before a space), then spaces, and characters as a last resort. Adjacent pieces are then
 * merged up to `chunkSize`, and each chunk after the first in a section starts with up to `chunkOverlap` tokens
 * of the previous chunk, cut at a sentence boundary where there is one.
 *
 * Every chunk's `text` equals `document.text.slice(start, end)` and has no leading or trailing whitespace.
 * Runs in linear time in the length of the document.
 *
 * @throws ZhikuError `invalid:input` when the options are out of range.
 */
export function chunkDocument(document: ParsedDocument, options?: ChunkOptions): Chunk[] {
  const settings = resolveSettings(options);
  const chunks: Chunk[] = [];
  for (const section of document.sections) {
    chunkSection(document.text, section, settings, chunks);
  }
  return chunks;
}

function chunkSection(text: string, section: Section, settings: Settings, chunks: Chunk[]): void {
  const start = Math.max(0, section.start);
  const end = Math.min(text.length, section.end);
  if (end <= start) return;
  const prefix = new TokenPrefix(text, start, end);
  const trimmed: Range[] = [];
  pushTrimmed(text, start, end, trimmed);
  const atoms: Range[] = [];
  for (const range of trimmed) splitToFit(text, range, 0, prefix, settings.chunkSize, atoms);

  let previous: Range | undefined;
  let repeatedUntil = start;
  let atomIndex = 0;
  while (atomIndex < atoms.length) {
    const first = atoms[atomIndex]!;
    let chunkStart = first.start;
    if (previous && settings.chunkOverlap > 0) {
      const budget = Math.min(
        settings.chunkOverlap,
        settings.chunkSize - prefix.tokens(first.start, first.end),
      );
      if (budget > 0) {
        // Never reach back into text the previous chunk already repeated, so no character is in three chunks.
        const limit = Math.max(previous.start + 1, repeatedUntil);
        const start = overlapStart(text, previous, limit, budget, prefix);
        if (start < previous.end) chunkStart = start;
      }
    }
    let next = atomIndex + 1;
    while (next < atoms.length && prefix.tokens(chunkStart, atoms[next]!.end) <= settings.chunkSize + 1e-6)
      next++;
    let chunkEnd = atoms[next - 1]!.end;
    let chunkText = text.slice(chunkStart, chunkEnd);
    let tokens = countTokens(chunkText);
    // The prefix spreads a word's tokens over its characters, so a chunk cut inside a long word can count a
    // little more on its own; give back atoms (then the overlap) until the exact count fits.
    while (tokens > settings.chunkSize) {
      if (next - 1 > atomIndex) next--;
      else if (chunkStart < first.start) chunkStart = first.start;
      else break;
      chunkEnd = atoms[next - 1]!.end;
      chunkText = text.slice(chunkStart, chunkEnd);
      tokens = countTokens(chunkText);
    }
    const chunk: Chunk = {
      index: chunks.length,
      text: chunkText,
      start: chunkStart,
      end: chunkEnd,
      headings: [...section.headings],
      tokens,
    };
    if (section.page !== undefined) chunk.page = section.page;
    chunks.push(chunk);
    repeatedUntil = previous?.end ?? start;
    previous = { start: chunkStart, end: chunkEnd };
    atomIndex = next;
  }
}

/**
 * Splits `range` into pieces of at most `chunkSize` tokens, using the splitter at `level` and weaker ones as
 * needed, and appends them to `atoms`.
 */
function splitToFit(
  text: string,
  range: Range,
  level: number,
  prefix: TokenPrefix,
  chunkSize: number,
  atoms: Range[],
): void {
  if (prefix.tokens(range.start, range.end) <= chunkSize + 1e-6) {
    atoms.push(range);
    return;
  }
  const splitter = SPLITTERS[level];
  if (!splitter) {
    splitCharacters(text, range, prefix, chunkSize, atoms);
    return;
  }
  const pieces = splitter(text, range.start, range.end);
  if (pieces.length <= 1) {
    splitToFit(text, range, level + 1, prefix, chunkSize, atoms);
    return;
  }
  for (const piece of pieces) splitToFit(text, piece, level + 1, prefix, chunkSize, atoms);
}

/** The last resort: cuts a range with no usable boundary into runs of characters that fit. */
function splitCharacters(
  text: string,
  range: Range,
  prefix: TokenPrefix,
  chunkSize: number,
  atoms: Range[],
): void {
  let from = range.start;
  while (from < range.end) {
    let to = prefix.furthestWithin(from, range.end, chunkSize);
    if (to < range.end && isLowSurrogate(text.charCodeAt(to))) to--;
    // The prefix spreads a word's tokens over its characters; a cut inside a word counts at least one token
    // on its own, so check the exact count and give characters back until it fits.
    while (to > from + 1 && countTokens(text.slice(from, to)) > chunkSize) {
      to--;
      if (isLowSurrogate(text.charCodeAt(to))) to--;
    }
    if (to <= from) to = Math.min(range.end, from + (isHighSurrogate(text.charCodeAt(from)) ? 2 : 1));
    pushTrimmed(text, from, to, atoms);
    from = to;
  }
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Boundaries tried for the overlap, strongest first; each level's earliest fitting boundary wins. */
const OVERLAP_SPLITTER_GROUPS: Splitter[][] = [[splitLines, splitSentences], [splitClauses], [splitWords]];

/** How far before the overlap window to start scanning, so a boundary right at its edge is still seen. */
const OVERLAP_LOOKBEHIND = 64;

/**
 * Where the next chunk starts so that it repeats at most `budget` tokens from the end of `previous`: the
 * earliest sentence (or line) start in that tail, else a clause start, else a word start, else a character
 * offset right after an ideograph, else no overlap. Never before `limit`, which is past the start of `previous`, so
 * no chunk is repeated whole.
 */
function overlapStart(
  text: string,
  previous: Range,
  limit: number,
  budget: number,
  prefix: TokenPrefix,
): number {
  if (limit >= previous.end) return previous.end;
  const earliest = prefix.earliestWithin(limit, previous.end, budget);
  if (earliest >= previous.end) return previous.end;
  const scanFrom = Math.max(previous.start, earliest - OVERLAP_LOOKBEHIND);
  for (const group of OVERLAP_SPLITTER_GROUPS) {
    let best = previous.end;
    for (const splitter of group) {
      const pieces = splitter(text, scanFrom, previous.end);
      for (let index = 1; index < pieces.length; index++) {
        const start = pieces[index]!.start;
        if (start >= earliest) {
          if (start < best) best = start;
          break;
        }
      }
    }
    if (best < previous.end) return best;
  }
  // No boundary fits: cut between characters, but only right after an ideograph, where a cut does not break
  // a word ("数据库" can start at "据库"; "memory" never at "mory"). Otherwise the chunk gets no overlap.
  for (let start = earliest; start < previous.end; start++) {
    if (isIdeographCode(text.charCodeAt(start - 1)) && !isWhitespaceCode(text.charCodeAt(start)))
      return start;
  }
  return previous.end;
}
