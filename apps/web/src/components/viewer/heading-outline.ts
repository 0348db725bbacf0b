import type { PlacedChunk } from "../../lib/api-types";

/** One heading of a document's outline. */
export interface OutlineNode {
  /** A stable id within the outline, for anchors and the mind map. */
  id: string;
  /** The heading's text. */
  title: string;
  /** Offset in the document text where the heading's section starts (its first chunk). */
  start: number;
  children: OutlineNode[];
}

/**
 * The heading outline of a document, from the heading paths of its chunks in order: a heading starts where the first
 * chunk whose path passes through it starts. Chunks carry the full path of their section, so the outline needs no
 * parsing of the original, and works alike for Markdown, HTML and DOCX.
 */
export function headingOutline(chunks: readonly PlacedChunk[]): OutlineNode[] {
  const roots: OutlineNode[] = [];
  // The nodes of the path last seen, outermost first.
  const open: OutlineNode[] = [];
  let count = 0;
  for (const chunk of [...chunks].sort((left, right) => left.index - right.index)) {
    let same = 0;
    while (same < chunk.headings.length && same < open.length && open[same]!.title === chunk.headings[same])
      same += 1;
    open.length = same;
    for (let depth = same; depth < chunk.headings.length; depth += 1) {
      count += 1;
      const node: OutlineNode = {
        id: `h${count}`,
        title: chunk.headings[depth]!,
        start: chunk.start,
        children: [],
      };
      (depth === 0 ? roots : open[depth - 1]!.children).push(node);
      open.push(node);
    }
  }
  return roots;
}

/** Every node of an outline, depth first in document order. */
export function flattenOutline(nodes: readonly OutlineNode[]): OutlineNode[] {
  return nodes.flatMap((node) => [node, ...flattenOutline(node.children)]);
}
