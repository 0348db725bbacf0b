import type { normalizeForIndex } from "./normalize.js";

/** Lines shorter than this (after normalisation, digits and whitespace removed) get no fingerprint: too common to mean anything. */
export const MIN_FINGERPRINT_LENGTH = 6;

/** Splits text into lines on `\n`, `\r\n` or `\r`, without the line endings. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** 64-bit FNV-1a over UTF-16 code units as 16 hex characters: fast, and plenty to tell a workspace's lines apart. */
function fnv1a64(text: string): string {
  // The 64-bit state is kept as two 32-bit halves; multiplying by the FNV prime 2^40 + 0x1b3 is
  // done as (state * 0x1b3) + (low << 40), carrying between halves by hand.
  let high = 0xcbf29ce4;
  let low = 0x84222325;
  for (let index = 0; index < text.length; index += 1) {
    low = (low ^ text.charCodeAt(index)) >>> 0;
    const product = low * 0x1b3;
    const carry = Math.floor(product / 0x100000000);
    high = (Math.imul(high, 0x1b3) + (low << 8) + carry) >>> 0;
    low = product >>> 0;
  }
  return high.toString(16).padStart(8, "0") + low.toString(16).padStart(8, "0");
}

/**
 * Digits that change from page to page of the same boilerplate while saying nothing: dates (2026/1/9, 2026-01-09,
 * 2026年1月9日, 1月9日), times of day (10:00, 4:27:40) and years standing alone (© 2025). Other numbers — error codes,
 * shard, port and version numbers — are what tells one document's line from another's and are kept.
 */
const changingDigits =
  /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}日?|\d{1,2}\s*月\s*\d{1,2}\s*日|\b\d{1,2}:\d{2}(?::\d{2})?\b|(?<![\p{L}_]-?|\p{N})(?:19|20)\d{2}(?!\p{N})/gu;

/** `line` (NFKC-normalised) with the digit runs of its dates, times and years each replaced by `0`. */
function withoutChangingDigits(line: string): string {
  return line.replace(changingDigits, (match) => match.replace(/\d+/g, "0"));
}

/**
 * A stable fingerprint of a line for counting how often it repeats across a workspace's documents: NFKC-normalised
 * and lower-cased as in {@link normalizeForIndex}, whitespace removed and the digits of dates, times and years
 * replaced by `0`, so "张小明 2026/1/9 10:00:27" and "张小明 2026/1/6 4:27:40" share one fingerprint, as do footers
 * that differ only in a year. Other numbers count: "ERR-4301 … shard 1" and "ERR-4302 … shard 2" are different
 * lines. Returns undefined for lines too short to judge (under {@link MIN_FINGERPRINT_LENGTH} characters besides
 * digits and whitespace), which are never treated as boilerplate by frequency. The fingerprint is 16 hex characters
 * (64-bit FNV-1a).
 */
export function lineFingerprint(line: string): string | undefined {
  return fingerprintOf(line, "dates");
}

/**
 * The fingerprint of a line with the digits of its dates, times and years (`"dates"`) or all its digit runs
 * (`"all"`) replaced by `0`; see {@link lineFingerprint}.
 */
function fingerprintOf(line: string, digits: "dates" | "all"): string | undefined {
  if (line.length < MIN_FINGERPRINT_LENGTH) return undefined;
  const normalized = line.normalize("NFKC");
  const letters = (digits === "dates" ? withoutChangingDigits(normalized) : normalized)
    .toLowerCase()
    .replace(/\s+/g, "");
  if (!hasEnoughNonDigits(letters)) return undefined;
  return fnv1a64(digits === "all" ? letters.replace(/\d+/g, "0") : letters);
}

/**
 * Lines at each end of a document that are fingerprinted for boilerplate detection. Site headers, bylines, footers,
 * copyright notices and "related posts" lists sit at the ends of a page's text; a line that repeats in the middle of
 * documents (a line of code, a table header) is content and stays indexed. Also bounds the work per document.
 */
export const BOILERPLATE_EDGE_LINES = 40;

/**
 * The first and last {@link BOILERPLATE_EDGE_LINES} lines of `text` that have a {@link lineFingerprint} (every such
 * line of a shorter text), each distinct line with its fingerprint.
 */
export function edgeLineFingerprints(text: string, edgeLines = BOILERPLATE_EDGE_LINES): Map<string, string> {
  const lines = splitLines(text);
  const fingerprints = new Map<string, string>();
  const take = (index: number): boolean => {
    const line = lines[index]!;
    const fingerprint = lineFingerprint(line);
    if (fingerprint === undefined) return false;
    fingerprints.set(line, fingerprint);
    return true;
  };
  let head = 0;
  for (let found = 0; head < lines.length && found < edgeLines; head += 1) if (take(head)) found += 1;
  for (let tail = lines.length - 1, found = 0; tail >= head && found < edgeLines; tail -= 1)
    if (take(tail)) found += 1;
  return fingerprints;
}

function hasEnoughNonDigits(text: string): boolean {
  let count = 0;
  for (let index = 0; index < text.length && count < MIN_FINGERPRINT_LENGTH; index += 1) {
    const code = text.charCodeAt(index);
    if (code < 0x30 || code > 0x39) count += 1;
  }
  return count >= MIN_FINGERPRINT_LENGTH;
}

/**
 * Patterns for lines that are noise in a single scraped page, whatever the site: copyright and
 * reprint notices, permalinks, disclaimers, like/favourite/follow/share bars, previous/next links
 * and "related posts" headings. Each is matched against a line with its surrounding whitespace
 * trimmed; all but the share-bar pattern only match lines up to 400 characters, so a long
 * paragraph that merely starts with such a phrase is kept.
 */
export const BUILT_IN_BOILERPLATE: readonly RegExp[] = [
  /^[【[(（]?(?:版权声明|版权所有|著作权归作者所有|免责声明|声明)[】\])）]?\s*[:：]/,
  /^(?:本文链接|原文链接|原文地址|文章链接|本文地址|转载地址|文章来源|来源)\s*[:：]/,
  /(?:转载请注明|转载请保留|未经允许不得转载|未经授权[,，]?\s*禁止转载|禁止转载)/,
  /^(?:copyright\s*)?(?:©|\(c\)|&copy;)\s*(?:\d{4}|[\p{L}\p{N}])/iu,
  /^copyright\b.*(?:\d{4}|©|\(c\))/i,
  /\ball rights reserved\b/i,
  /^[«‹<←]?\s*(?:上一篇|下一篇|上一章|下一章|前一篇|后一篇|previous post|next post|previous article|next article)\s*(?:[:：]|[»›>→]?\s*$)/i,
  /^(?:相关推荐|相关文章|相关阅读|推荐阅读|猜你喜欢|热门文章|热门推荐|延伸阅读|related posts|related articles|you may also like|recommended for you)\s*[:：]?\s*$/i,
  /^(?:\s*(?:点赞|赞|收藏|关注|分享|分享到\S{0,6}|评论|举报|打赏|转发|在看|阅读|like|likes|share|save|follow|comment|comments|report)\s*[:：]?\s*[\d.,万kK+]*\s*)+$/i,
  /^(?:京|沪|粤|浙|苏|闽|鲁|川|蜀|渝|津|冀|豫|鄂|湘|皖|赣|陕|晋|辽|吉|黑|桂|琼|贵|黔|云|滇|藏|甘|青|宁|新|蒙)ICP[备证]\s*\d+号/,
];

/** Longest line the single-line built-in patterns apply to. */
const builtInMaxLength = 400;

/** True when a line matches one of the {@link BUILT_IN_BOILERPLATE} patterns. */
export function isBuiltInBoilerplate(line: string): boolean {
  const trimmed = line.trim();
  if (!trimmed || trimmed.length > builtInMaxLength) return false;
  return BUILT_IN_BOILERPLATE.some((pattern) => pattern.test(trimmed));
}

/** A half-open range `[start, end)` of offsets into a document's text. */
export type TextRange = readonly [start: number, end: number];

/** Lines of `text` with their offsets (line endings excluded). */
function linesWithOffsets(text: string): { line: string; start: number; end: number }[] {
  const lines: { line: string; start: number; end: number }[] = [];
  const breaks = /\r\n|\r|\n/g;
  let start = 0;
  for (const match of text.matchAll(breaks)) {
    lines.push({ line: text.slice(start, match.index), start, end: match.index });
    start = match.index + match[0].length;
  }
  lines.push({ line: text.slice(start), start, end: text.length });
  return lines;
}

/** Fewest items that make a trailing run of look-alike entries a listing. */
const LISTING_MIN_ITEMS = 3;
/** Most lines (blank ones not counted) in one item of a listing. */
const LISTING_MAX_ITEM_LINES = 8;
/** Lines after a listing (a footer, a last link) that do not keep it from being found. */
const LISTING_TRAILING_LINES = 2;
/** Longest line that can be an item's template line. */
const LISTING_TEMPLATE_MAX_LENGTH = 80;
/** A date (2026/1/6, 2026-01-06, 2026年1月6日) or a time of day (4:27): what a listing's template line carries. */
const dateOrTime = /\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}|\b\d{1,2}:\d{2}\b/;

/**
 * The lines of a trailing listing — "related posts", "more from this author" — as scraped pages end with: at least
 * {@link LISTING_MIN_ITEMS} items of the same number of lines, each with one short line cut from the same template
 * that carries a date or a time ("张小明 2026/1/6 4:27:40 网站建设", "Posted on 2024-05-01 by admin"; the digits aside),
 * running to the end of the document (give or take
 * {@link LISTING_TRAILING_LINES} lines). Their titles and teasers are other articles: indexed, they would answer
 * questions about those. Only the document's last {@link BOILERPLATE_EDGE_LINES} non-blank lines are looked at, and
 * a listing holding half the document's text or more is left alone (a changelog is all look-alike entries).
 * @returns indexes into `lines` (non-blank ones only), empty when there is no listing.
 */
function trailingListing(lines: readonly { line: string }[], textLength: number): number[] {
  const filled = lines.flatMap((entry, index) => (entry.line.trim() ? [index] : []));
  const tail = filled.slice(-BOILERPLATE_EDGE_LINES);
  // Positions in `tail` of each fingerprint.
  const positions = new Map<string, number[]>();
  tail.forEach((lineIndex, position) => {
    const { line } = lines[lineIndex]!;
    if (line.length > LISTING_TEMPLATE_MAX_LENGTH || !dateOrTime.test(line)) return;
    // Within one listing every number may change (dates, view and comment counts): the template is what repeats.
    const fingerprint = fingerprintOf(line, "all");
    if (fingerprint === undefined) return;
    const seen = positions.get(fingerprint);
    if (seen) seen.push(position);
    else positions.set(fingerprint, [position]);
  });
  for (const all of positions.values()) {
    if (all.length < LISTING_MIN_ITEMS) continue;
    const period = all.at(-1)! - all.at(-2)!;
    if (period > LISTING_MAX_ITEM_LINES) continue;
    // The evenly spaced occurrences at the end: a byline of the same template higher up is not an item.
    let first = all.length - 2;
    while (first > 0 && all[first]! - all[first - 1]! === period) first -= 1;
    const seen = all.slice(first);
    if (seen.length < LISTING_MIN_ITEMS) continue;
    // The items run from the template line's item to the end: the template line sits at the same place in each.
    for (let trailing = 0; trailing <= LISTING_TRAILING_LINES; trailing++) {
      const end = tail.length - trailing;
      const start = end - seen.length * period;
      if (start < 0 || seen[0]! < start || seen[0]! >= start + period) continue;
      const listing = tail.slice(start, end);
      const listed = listing.reduce((total, lineIndex) => total + lines[lineIndex]!.line.length, 0);
      if (listed * 2 >= textLength) return [];
      return listing;
    }
  }
  return [];
}

/**
 * The parts of a document's text the index leaves out, judged line by line over the whole document (so a chunk that
 * starts in the middle of a line leaves out its share of a boilerplate line too): lines that match
 * {@link BUILT_IN_BOILERPLATE}, lines the caller judges boilerplate (typically because their
 * {@link lineFingerprint} repeats across the workspace's documents), and a trailing listing of other articles.
 * Sorted, not overlapping. None when they would leave nothing but whitespace: cleaning never empties a document (a
 * page that is all footer is still what its owner uploaded, and must not end up stored without chunks).
 */
export function boilerplateRanges(text: string, isBoilerplate?: (line: string) => boolean): TextRange[] {
  const lines = linesWithOffsets(text);
  const dropped = new Set(trailingListing(lines, text.length));
  const ranges: TextRange[] = [];
  lines.forEach(({ line, start, end }, index) => {
    if (end > start && (dropped.has(index) || isBuiltInBoilerplate(line) || isBoilerplate?.(line)))
      ranges.push([start, end]);
  });
  return withoutRanges(text, 0, ranges).trim() ? ranges : [];
}

/**
 * `text`, which starts at offset `offset` of its document, without the parts that fall in `ranges` (document
 * offsets, sorted, as {@link boilerplateRanges} gives them).
 */
export function withoutRanges(text: string, offset: number, ranges: readonly TextRange[]): string {
  const end = offset + text.length;
  let kept = "";
  let from = offset;
  for (const [rangeStart, rangeEnd] of ranges) {
    if (rangeEnd <= from) continue;
    if (rangeStart >= end) break;
    if (rangeStart > from) kept += text.slice(from - offset, rangeStart - offset);
    from = Math.min(rangeEnd, end);
  }
  return kept + text.slice(from - offset);
}
