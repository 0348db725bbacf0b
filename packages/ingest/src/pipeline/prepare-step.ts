import type { OcrOptions } from "../ocr/ocr-types.js";
import type { IngestStep } from "./ingest-step.js";
import type { PrepareDocument } from "./prepare-document.js";

/** What {@link createPrepareStep} needs. */
export interface PrepareStepSetup {
  /**
   * Parses and chunks the file: `prepareDocument` in this thread, or a parse pool's `prepare` in worker threads under
   * a heap limit and a stall timeout (what the server's ingest workers use).
   */
  prepare: PrepareDocument;
  /** OCR of images and of PDF pages without a text layer (`OCR_LANGUAGES`); Tesseract's defaults when undefined. */
  ocr?: OcrOptions;
}

/**
 * Steps 1 and 2: bytes to text with structure (see `parse/`), then that text in pieces sized for embedding and
 * retrieval (see `chunk/`), reporting the `parsing` stage, an `ocr` stage for each page read by OCR, and `chunking`. One step, so both can run where a
 * runaway file harms nothing else.
 */
export function createPrepareStep(setup: PrepareStepSetup): IngestStep {
  return {
    name: "prepare",
    async run(draft, { signal, onProgress }) {
      const { parsed, chunks } = await setup.prepare({
        bytes: draft.bytes,
        name: draft.name,
        maxBytes: draft.maxBytes,
        chunkOptions: draft.chunkOptions,
        ...(setup.ocr ? { ocr: setup.ocr } : {}),
        onProgress,
        signal,
      });
      return { ...draft, parsed, chunks };
    },
  };
}
