/** The fewest characters of a passage's start (or end) that must match for a partial match to count. */
const leastPartialMatch = 10;

/** NFKC, then no whitespace: the parser normalised the text it stored, and line breaks differ between the two. */
function normalise(text: string): string {
  return text.normalize("NFKC").replace(/\s+/gu, "");
}

/**
 * Which text items of a rendered PDF page hold a cited passage: their indexes, in order, or an empty list when
 * the passage is not on the page.
 *
 * The stored passage and the page's text layer come from the same PDF but not the same characters: the parser
 * normalised Unicode (full-width punctuation) and joined or broke lines. Both are compared NFKC-normalised with
 * whitespace removed. When the whole passage is not found (a passage that runs onto the next page, or text the
 * parser cleaned), the longer of its longest start and its longest end found on the page is highlighted, if at least
 * ten characters long.
 */
export function findPassageItems(items: readonly string[], passage: string): number[] {
  const wanted = normalise(passage);
  if (wanted.length === 0) return [];
  let page = "";
  const itemAt: number[] = [];
  items.forEach((item, index) => {
    const normalised = normalise(item);
    page += normalised;
    for (let character = 0; character < normalised.length; character += 1) itemAt.push(index);
  });
  const range = locate(page, wanted);
  if (!range) return [];
  const found = new Set<number>();
  for (let position = range.start; position < range.end; position += 1) found.add(itemAt[position]!);
  return [...found].sort((left, right) => left - right);
}

function locate(page: string, wanted: string): { start: number; end: number } | null {
  const whole = page.indexOf(wanted);
  if (whole !== -1) return { start: whole, end: whole + wanted.length };
  const least = Math.min(leastPartialMatch, wanted.length);
  // A prefix found means every shorter one is found too, so the longest is found by bisection; likewise suffixes.
  const prefix = longest(least, wanted.length, (length) => page.indexOf(wanted.slice(0, length)));
  const suffix = longest(least, wanted.length, (length) =>
    page.lastIndexOf(wanted.slice(wanted.length - length)),
  );
  if (!prefix && !suffix) return null;
  const best = !suffix || (prefix && prefix.length >= suffix.length) ? prefix! : suffix;
  return { start: best.at, end: best.at + best.length };
}

/** The longest length from `least` to `most` at which `find` finds something (its position), if any. */
function longest(
  least: number,
  most: number,
  find: (length: number) => number,
): { length: number; at: number } | null {
  let at = find(least);
  if (at === -1) return null;
  let found = least;
  let high = most;
  while (found < high) {
    const middle = Math.ceil((found + high) / 2);
    const position = find(middle);
    if (position === -1) high = middle - 1;
    else {
      found = middle;
      at = position;
    }
  }
  return { length: found, at };
}
