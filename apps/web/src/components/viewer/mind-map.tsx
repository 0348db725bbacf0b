import type { IPureNode } from "markmap-common";
import { Markmap } from "markmap-view";
import { useEffect, useRef, useState } from "react";
import { useI18n } from "../../i18n/i18n";
import type { OutlineNode } from "./heading-outline";

/** Props of {@link MindMap}. */
export interface MindMapProps {
  /** The document's title or name, the map's centre unless the outline has a single top heading. */
  title: string;
  outline: readonly OutlineNode[];
  /** Called with the heading a reader chose. */
  onSelect: (node: OutlineNode) => void;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

/** markmap takes node content as HTML: headings are escaped, and carry their outline id for clicks. */
function toMarkmapNode(node: OutlineNode): IPureNode {
  return {
    content: `<span data-outline-id="${escapeHtml(node.id)}">${escapeHtml(node.title)}</span>`,
    children: node.children.map(toMarkmapNode),
  };
}

/**
 * The document's heading outline drawn as a mind map (markmap) beside its text; choosing a heading calls `onSelect`.
 * markmap and d3 are loaded with this module only, never with the app.
 */
export function MindMap(props: MindMapProps) {
  const { t } = useI18n();
  const svgRef = useRef<SVGSVGElement>(null);
  const { title, outline, onSelect } = props;
  const [error, setError] = useState<string | null>(null);
  const selectRef = useRef(onSelect);
  selectRef.current = onSelect;

  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const byId = new Map<string, OutlineNode>();
    const index = (nodes: readonly OutlineNode[]) => {
      for (const node of nodes) {
        byId.set(node.id, node);
        index(node.children);
      }
    };
    index(outline);
    let markmap: Markmap | undefined;
    try {
      // A document under one top heading (a Markdown H1, usually its title) has that heading at the centre.
      const root =
        outline.length === 1
          ? toMarkmapNode(outline[0]!)
          : { content: escapeHtml(title), children: outline.map(toMarkmapNode) };
      markmap = Markmap.create(svg, { duration: 200, maxWidth: 240 }, root);
    } catch (caught) {
      setError(caught instanceof Error ? caught.message : String(caught));
    }
    const onClick = (event: MouseEvent) => {
      const target = event.target instanceof Element ? event.target.closest("[data-outline-id]") : null;
      const node = target ? byId.get(target.getAttribute("data-outline-id") ?? "") : undefined;
      if (node) selectRef.current(node);
    };
    svg.addEventListener("click", onClick);
    return () => {
      svg.removeEventListener("click", onClick);
      markmap?.destroy();
    };
  }, [title, outline]);

  return (
    <figure className="mind-map">
      <figcaption>{t("viewer.outline")}</figcaption>
      {error ? (
        <p className="inline-error" role="alert">
          {t("viewer.outlineFailed", { message: error })}
        </p>
      ) : (
        <svg ref={svgRef} aria-label={t("viewer.outlineLabel")} />
      )}
    </figure>
  );
}
