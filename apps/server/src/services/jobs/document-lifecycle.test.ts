import type { DocumentRecord } from "@zhiku/ingest";
import { describe, expect, it } from "vitest";
import { toEvent } from "./document-lifecycle.js";

const processing: DocumentRecord = {
  id: "d1",
  workspaceId: "w1",
  name: "scan.pdf",
  type: null,
  bytes: 10,
  contentHash: null,
  status: "processing",
  error: null,
  chunks: 0,
  title: null,
  byline: null,
  pages: null,
  createdAt: "2026-12-03T00:00:00.000Z",
  updatedAt: "2026-12-03T00:00:00.000Z",
};

describe("toEvent", () => {
  it("carries the page OCR is reading and the document's pages in the ocr stage, and only there", () => {
    expect(toEvent(processing, { stage: "ocr", page: 2, pages: 3 })).toEqual({
      id: "d1",
      name: "scan.pdf",
      status: "processing",
      stage: "ocr",
      page: 2,
      pages: 3,
    });
    expect(toEvent(processing, { stage: "chunking" })).toEqual({
      id: "d1",
      name: "scan.pdf",
      status: "processing",
      stage: "chunking",
    });
  });
});
