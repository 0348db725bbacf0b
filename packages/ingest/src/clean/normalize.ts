/**
 * Normalises text for the full-text index and for embedding, while the original stays for display:
 * NFKC (full-width letters, digits and punctuation to ASCII, the ideographic space to a space,
 * compatibility characters such as ligatures and circled numbers folded), Latin lower-cased, and
 * every run of whitespace (line breaks included) collapsed to one space, trimmed at both ends.
 * Offsets are not preserved; never use the result for citations.
 */
export function normalizeForIndex(text: string): string {
  // NFKC through ICU runs at a few hundred MB/s, so it is applied unconditionally.
  return text.normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();
}
