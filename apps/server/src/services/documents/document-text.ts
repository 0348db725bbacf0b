import type { ChunkRecord } from "@zhiku/ingest";

/** Where one chunk stands in the text {@link assembleDocumentText} builds. */
export interface ChunkPlacement {
  chunkId: string;
  /** Position of the chunk in its document, from 0. */
  index: number;
  /** Offset of the chunk's first character in the assembled text. */
  start: number;
  /** Offset one past the chunk's last character in the assembled text. */
  end: number;
  /** Heading path of the section the chunk starts in, outermost first. */
  headings: string[];
  /** 1-based page the chunk starts on, for paged formats; else null. */
  page: number | null;
}

/** A document's text as its chunks hold it, with each chunk's place in it. */
export interface DocumentText {
  text: string;
  chunks: ChunkPlacement[];
}

/**
 * What stands between two stored chunks that do not touch. The parser's text there is not stored: it is whitespace
 * the chunker trimmed, or text the parser left out of every section (Markdown front matter), so it is shown as a
 * paragraph break.
 */
const gapSeparator = "\n\n";

/**
 * Rebuilds a document's text from its stored chunks, the only copy of the parsed text the store keeps, and places
 * every chunk in it, so a viewer can mark the cited chunk exactly.
 *
 * Chunks overlap (each repeats the end of the one before) and may leave gaps; overlapping text is written once,
 * and a gap becomes a paragraph break. The offsets returned are into the assembled text: for every chunk,
 * `text.slice(start, end)` is the chunk's text.
 */
export function assembleDocumentText(chunks: readonly ChunkRecord[]): DocumentText {
  const ordered = [...chunks].sort((left, right) => left.start - right.start || left.index - right.index);
  let text = "";
  // Document offset up to which the text is written, and how far the assembled text is shifted from it there.
  let writtenUntil = 0;
  let shift = 0;
  const placements: ChunkPlacement[] = [];
  for (const chunk of ordered) {
    if (chunk.start > writtenUntil || (text.length === 0 && chunk.start > 0)) {
      const separator = text.length === 0 ? "" : gapSeparator;
      shift = text.length + separator.length - chunk.start;
      text += separator + chunk.text;
    } else if (chunk.end > writtenUntil) {
      text += chunk.text.slice(writtenUntil - chunk.start);
    }
    writtenUntil = Math.max(writtenUntil, chunk.end);
    placements.push({
      chunkId: chunk.chunkId,
      index: chunk.index,
      start: chunk.start + shift,
      end: chunk.end + shift,
      headings: chunk.headings,
      page: chunk.page,
    });
  }
  placements.sort((left, right) => left.index - right.index);
  return { text, chunks: placements };
}
