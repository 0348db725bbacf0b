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
 * A stable fingerprint of a line for counting how often it repeats across a workspace's
 * documents: NFKC-normalised and lower-cased as in {@link normalizeForIndex}, whitespace removed
 * and digit runs replaced by `0`, so "张小明 2026/1/9 10:00:27" and "张小明 2026/1/6 4:27:40" share one
 * fingerprint, as do footers that differ only in a year or page number. Returns undefined for lines
 * too short to judge (under {@link MIN_FINGERPRINT_LENGTH} characters besides digits and
 * whitespace), which are never treated as boilerplate by frequency. The fingerprint is 16 hex
 * characters (64-bit FNV-1a).
 */
export function lineFingerprint(line: string): string | undefined {
  if (line.length < MIN_FINGERPRINT_LENGTH) return undefined;
  const letters = line.normalize("NFKC").toLowerCase().replace(/\s+/g, "");
  if (!hasEnoughNonDigits(letters)) return undefined;
  return fnv1a64(letters.replace(/\d+/g, "0"));
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

/**
 * Removes boilerplate lines from text meant for the index (not from display text): lines that
 * match {@link BUILT_IN_BOILERPLATE}, and lines the caller judges boilerplate, typically because
 * their {@link lineFingerprint} repeats across many documents of the workspace. Other lines,
 * blank ones included, are kept in order and joined with `\n`.
 */
export function stripBoilerplate(text: string, isBoilerplate?: (line: string) => boolean): string {
  const kept: string[] = [];
  for (const line of splitLines(text)) {
    if (isBuiltInBoilerplate(line) || isBoilerplate?.(line)) continue;
    kept.push(line);
  }
  return kept.join("\n");
}
