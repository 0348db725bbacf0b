import { useEffect, useMemo, useRef } from "react";
import { useI18n } from "../../i18n/i18n";
import type { OutlineNode } from "./heading-outline";
import { segmentText } from "./text-segments";

/** The element id of an outline heading's place in the text, for scrolling to it. */
export function headingAnchorId(node: Pick<OutlineNode, "id">): string {
  return `viewer-heading-${node.id}`;
}

/**
 * Scrolls the document text (only it, not the page around it) so that `element` stands a quarter of the way down:
 * the start of a long passage, or a heading, is then in view with a little of what comes before.
 */
export function revealInText(element: Element): void {
  const container = element.closest(".viewer-text");
  if (!(container instanceof HTMLElement)) return;
  const offset = element.getBoundingClientRect().top - container.getBoundingClientRect().top;
  container.scrollTop += offset - container.clientHeight / 4;
}

/** Props of {@link TextView}. */
export interface TextViewProps {
  text: string;
  /** The cited passage, as offsets into `text`. */
  passage: { start: number; end: number } | null;
  /** Headings to place anchors for. */
  headings: readonly OutlineNode[];
}

/**
 * A document shown as its text (Markdown, HTML, DOCX, plain text), with the cited passage wrapped in `<mark>` and
 * scrolled into view when the view opens.
 */
export function TextView(props: TextViewProps) {
  const { t } = useI18n();
  const { text, passage, headings } = props;
  const firstMark = useRef<HTMLElement>(null);
  const segments = useMemo(
    () =>
      segmentText(text, {
        mark: passage,
        anchors: headings.map((node) => ({ id: headingAnchorId(node), offset: node.start })),
      }),
    [text, passage, headings],
  );

  // biome-ignore lint/correctness/useExhaustiveDependencies: scrolls again when another passage is cited
  useEffect(() => {
    if (firstMark.current) revealInText(firstMark.current);
  }, [passage?.start, passage?.end]);

  let markSeen = false;
  return (
    <div className="viewer-text">
      {segments.map((segment, position) => {
        const anchors = segment.anchors.map((id) => <span key={id} id={id} className="viewer-anchor" />);
        if (!segment.marked) {
          return (
            // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and rebuilt as a whole
            <span key={position}>
              {anchors}
              {segment.text}
            </span>
          );
        }
        const first = !markSeen;
        markSeen = true;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: segments are positional and rebuilt as a whole
          <span key={position}>
            {anchors}
            <mark ref={first ? firstMark : undefined} className="viewer-passage">
              {first && <span className="visually-hidden">{t("viewer.citedPassage")}: </span>}
              {segment.text}
            </mark>
          </span>
        );
      })}
    </div>
  );
}
