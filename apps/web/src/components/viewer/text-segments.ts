/** A run of the document text, shown as one element. */
export interface TextSegment {
  text: string;
  /** Part of the cited passage. */
  marked: boolean;
  /** Ids of the anchors (outline headings) that stand at the start of this run. */
  anchors: string[];
}

/** Options of {@link segmentText}. */
export interface SegmentTextOptions {
  /** The cited passage, as offsets into the text; none when nothing is cited. */
  mark?: { start: number; end: number } | null;
  /** Places the viewer can scroll to, such as the start of each heading's section. */
  anchors?: readonly { id: string; offset: number }[];
}

/**
 * Cuts the document text at the cited passage's ends and at every anchor, so the passage can be wrapped in `<mark>`
 * and each anchor placed exactly. Joining the segments' text gives the text back unchanged.
 */
export function segmentText(text: string, options: SegmentTextOptions = {}): TextSegment[] {
  const clamp = (offset: number) => Math.min(Math.max(offset, 0), text.length);
  const mark = options.mark && options.mark.end > options.mark.start ? options.mark : null;
  const cuts = new Set<number>([0, text.length]);
  if (mark) {
    cuts.add(clamp(mark.start));
    cuts.add(clamp(mark.end));
  }
  const anchorsAt = new Map<number, string[]>();
  for (const anchor of options.anchors ?? []) {
    const offset = clamp(anchor.offset);
    cuts.add(offset);
    anchorsAt.set(offset, [...(anchorsAt.get(offset) ?? []), anchor.id]);
  }
  const sorted = [...cuts].sort((left, right) => left - right);
  const segments: TextSegment[] = [];
  for (let position = 0; position < sorted.length; position += 1) {
    const start = sorted[position]!;
    const end = sorted[position + 1] ?? text.length;
    const anchors = anchorsAt.get(start) ?? [];
    if (end === start && anchors.length === 0) continue;
    segments.push({
      text: text.slice(start, end),
      marked: mark !== null && start >= mark.start && end <= mark.end && end > start,
      anchors,
    });
  }
  return segments;
}
