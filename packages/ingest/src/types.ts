import type { OcrReport } from "./ocr/ocr-types.js";

/** The document formats Zhiku reads; `image` is a PNG, JPEG or WebP read by OCR. */
export type DocumentType = "pdf" | "docx" | "html" | "markdown" | "text" | "csv" | "json" | "image";

/**
 * A span of a parsed document's text that shares one heading path and one page.
 * Offsets are UTF-16 code unit indexes into {@link ParsedDocument.text}, `end` exclusive.
 */
export interface Section {
  /** Heading path from the outermost heading down, e.g. `["Install", "On Linux"]`; empty before any heading. */
  headings: string[];
  /** 1-based page number, for paged formats (PDF); undefined elsewhere. */
  page?: number;
  /** Offset of the first character of the section in the document text. */
  start: number;
  /** Offset one past the last character of the section in the document text. */
  end: number;
}

/** What a parser makes of a file: display text plus the structure needed to chunk and cite it. */
export interface ParsedDocument {
  /** Detected format. */
  type: DocumentType;
  /** The document text as shown to users; chunks and citations point into it by offset. */
  text: string;
  /** Sections in document order; they cover the meaningful parts of `text` and never overlap. */
  sections: Section[];
  /** Title, when the format carries one (HTML `<title>`, the first Markdown H1, DOCX core title). */
  title?: string;
  /** Author or byline, when the format carries one. */
  byline?: string;
  /** Page count, for paged formats. */
  pages?: number;
  /** Text encoding the bytes were decoded from, for text formats (e.g. `utf-8`, `gb18030`). */
  encoding?: string;
  /** Set when some of the text came from OCR (an image, PDF pages without a text layer): pages, confidence, doubtful words. */
  ocr?: OcrReport;
}

/** One piece of a document, sized for embedding and retrieval. */
export interface Chunk {
  /** Position of the chunk in its document, from 0. */
  index: number;
  /** The chunk's text exactly as it stands in the document text: `document.text.slice(start, end)`. */
  text: string;
  /** Offset of the chunk's first character in the document text. */
  start: number;
  /** Offset one past the chunk's last character in the document text. */
  end: number;
  /** Heading path of the section the chunk starts in. */
  headings: string[];
  /** Page the chunk starts on, for paged formats. */
  page?: number;
  /** Approximate token count of `text` (see `countTokens`). */
  tokens: number;
}

/** Options for {@link Chunk} splitting. */
export interface ChunkOptions {
  /** Target maximum size of a chunk in tokens. Default 500. */
  chunkSize?: number;
  /** Tokens of the previous chunk repeated at the start of the next one. Default 75 (15%). */
  chunkOverlap?: number;
}

/** Turns texts into vectors. Implementations batch, bound concurrency and retry. */
export interface Embedder {
  /** Name of the embedding model, as recorded per workspace. */
  readonly model: string;
  /** Vector length, read from the model (by embedding a probe text when the model does not report it). */
  dimension(): Promise<number>;
  /** Embeds texts in order; `onProgress` reports texts done so far. */
  embed(
    texts: string[],
    options?: {
      signal?: AbortSignal;
      onProgress?: (done: number) => void;
      /** Retries on connection errors and 5xx for this call, overriding the embedder's own setting. */
      retries?: number;
    },
  ): Promise<number[][]>;
}
