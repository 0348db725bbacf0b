import type { ParsedDocument } from "../types.js";
import { type DocumentDraft, newDraft } from "./ingest-step.js";

const encoder = new TextEncoder();

/** A draft of a text file for step tests: workspace `w`, document `d`, the default limits. */
export function draftOf(text: string, extra: Partial<DocumentDraft> = {}): DocumentDraft {
  return {
    ...newDraft({
      name: "note.md",
      bytes: encoder.encode(text),
      workspaceId: "w",
      documentId: "d",
      maxBytes: 1024 * 1024,
      chunkOptions: undefined,
    }),
    ...extra,
  };
}

/** A parsed plain-text document of one section without headings. */
export function parsedText(text: string, title?: string): ParsedDocument {
  return { type: "text", text, sections: [{ headings: [], start: 0, end: text.length }], title };
}
