/** Minimal mdast shapes this plugin touches (kept local so we depend on no internal package's types). */
interface MarkdownNode {
  type: string;
  value?: string;
  url?: string;
  children?: MarkdownNode[];
  data?: Record<string, unknown>;
}

/** Prefix of the link a citation marker becomes; the renderer turns such links into buttons. */
export const citationHrefPrefix = "#cite-";

/** `[1]`, `[2, 3]` or `[4,5]` (but not `[^1]` footnotes or link text, which are other node types). */
const markerPattern = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** Nodes whose text must stay as written: inside links and code there are no citations. */
const skippedParents = new Set(["link", "linkReference", "inlineCode", "code", "math", "inlineMath", "html"]);

/** Splits one text value into text and citation-link nodes; returns undefined when it has no marker. */
export function splitCitations(value: string): MarkdownNode[] | undefined {
  const parts: MarkdownNode[] = [];
  let last = 0;
  for (const match of value.matchAll(markerPattern)) {
    const start = match.index;
    if (start > last) parts.push({ type: "text", value: value.slice(last, start) });
    const numbers = match[1]!.split(",").map((part) => Number(part.trim()));
    for (const number of numbers) {
      parts.push({
        type: "link",
        url: `${citationHrefPrefix}${number}`,
        children: [{ type: "text", value: String(number) }],
      });
    }
    last = start + match[0].length;
  }
  if (parts.length === 0) return undefined;
  if (last < value.length) parts.push({ type: "text", value: value.slice(last) });
  return parts;
}

function transform(node: MarkdownNode): void {
  if (!node.children || skippedParents.has(node.type)) return;
  const children: MarkdownNode[] = [];
  for (const child of node.children) {
    const split = child.type === "text" && child.value ? splitCitations(child.value) : undefined;
    if (split) children.push(...split);
    else {
      transform(child);
      children.push(child);
    }
  }
  node.children = children;
}

/**
 * Remark plugin: turns the `[n]` citation markers of an answer into links to `#cite-n`,
 * which the Markdown renderer shows as buttons opening source n.
 */
export function remarkCitations() {
  return (tree: MarkdownNode) => {
    transform(tree);
  };
}
