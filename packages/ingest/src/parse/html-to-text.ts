import type { DocumentTextBuilder } from "./text-builder.js";

/** The few DOM node members the walker reads; linkedom's nodes satisfy it. */
export interface WalkableNode {
  /** 1 element, 3 text, others ignored. */
  nodeType: number;
  /** Upper-case tag name for elements. */
  nodeName: string;
  /** Text of the node and its descendants. */
  textContent: string | null;
  /** Child nodes in document order. */
  childNodes: ArrayLike<WalkableNode>;
  /** Attribute reader, present on elements. */
  getAttribute?: (name: string) => string | null;
}

/**
 * Attribute that records a heading's original level. Readability turns every `<h1>` into `<h2>`,
 * which would flatten heading paths, so the HTML parser marks levels before Readability runs.
 */
export const HEADING_LEVEL_ATTRIBUTE = "data-heading-level";

const blockTags = new Set(
  (
    "ADDRESS ARTICLE ASIDE BLOCKQUOTE BODY CAPTION DD DETAILS DIALOG DIV DL DT FIELDSET FIGCAPTION FIGURE FOOTER " +
    "FORM HEADER HGROUP HR LI MAIN NAV OL P SECTION SUMMARY TABLE TBODY TFOOT THEAD TR UL"
  ).split(" "),
);
const skippedTags = new Set(
  "SCRIPT STYLE NOSCRIPT TEMPLATE SVG CANVAS IFRAME OBJECT EMBED BUTTON SELECT INPUT TEXTAREA HEAD".split(
    " ",
  ),
);
const headingLevels: Record<string, number> = { H1: 1, H2: 2, H3: 3, H4: 4, H5: 5, H6: 6 };

/**
 * Walks an HTML tree into a {@link DocumentTextBuilder}: headings become sections, block elements
 * become paragraphs separated by blank lines, `<br>` a line break, `<pre>` keeps its lines,
 * list items start with "- " and table cells are separated by " | ". Scripts, styles and form
 * controls are skipped.
 */
export function walkHtml(root: WalkableNode, builder: DocumentTextBuilder): void {
  let inline = "";
  const flush = () => {
    const block = inline
      .split("\n")
      .map((line) => line.replace(/[ \t\f\v\r\u00a0]+/g, " ").trim())
      .filter((line) => line.length > 0)
      .join("\n");
    builder.addBlock(block);
    inline = "";
  };
  const visit = (node: WalkableNode): void => {
    if (node.nodeType === 3) {
      inline += (node.textContent ?? "").replace(/\s+/g, " ");
      return;
    }
    if (node.nodeType !== 1) return;
    const tag = node.nodeName.toUpperCase();
    if (skippedTags.has(tag)) return;
    const marked = Number(node.getAttribute?.(HEADING_LEVEL_ATTRIBUTE));
    const level =
      headingLevels[tag] !== undefined && marked >= 1 && marked <= 6 ? marked : headingLevels[tag];
    if (level !== undefined) {
      flush();
      builder.addHeading(level, node.textContent ?? "");
      return;
    }
    if (tag === "PRE") {
      flush();
      builder.addBlock((node.textContent ?? "").replace(/\s+$/, ""));
      return;
    }
    if (tag === "BR") {
      inline += "\n";
      return;
    }
    const isBlock = blockTags.has(tag);
    if (isBlock) flush();
    if (tag === "LI") inline += "- ";
    const children = node.childNodes;
    for (let index = 0; index < children.length; index += 1) visit(children[index]!);
    if (tag === "TD" || tag === "TH") inline += " | ";
    if (tag === "TR") inline = inline.replace(/\s*\|\s*$/, "");
    if (isBlock) flush();
  };
  visit(root);
  flush();
}
