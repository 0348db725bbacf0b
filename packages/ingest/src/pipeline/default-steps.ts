import type { OcrOptions } from "../ocr/ocr-types.js";
import type { Embedder } from "../types.js";
import { createCleanStep } from "./clean-step.js";
import { createEmbedStep } from "./embed-step.js";
import { createIndexTextStep } from "./index-text-step.js";
import type { IngestStep } from "./ingest-step.js";
import type { PrepareDocument } from "./prepare-document.js";
import { createPrepareStep } from "./prepare-step.js";

/** What the default steps need. */
export interface DefaultStepsSetup {
  embedder: Embedder;
  /** See {@link createPrepareStep}. */
  prepare: PrepareDocument;
  /** See {@link createPrepareStep}. */
  ocr?: OcrOptions;
  /** See {@link createEmbedStep}. */
  embeddingTable: (workspaceId: string) => Promise<string>;
  /** See {@link createCleanStep}. */
  sharedFingerprints: (workspaceId: string, documentId: string, fingerprints: string[]) => Set<string>;
  /** See {@link createIndexTextStep}. */
  headingContext: boolean;
}

/**
 * The ingestion pipeline: parse and chunk (one step, so both can run in a parse worker) → clean → index text →
 * embed. Storing follows, in the document writer.
 */
export function defaultSteps(setup: DefaultStepsSetup): IngestStep[] {
  return [
    createPrepareStep({ prepare: setup.prepare, ...(setup.ocr ? { ocr: setup.ocr } : {}) }),
    createCleanStep({ sharedFingerprints: setup.sharedFingerprints }),
    createIndexTextStep({ headingContext: setup.headingContext }),
    createEmbedStep({ embedder: setup.embedder, embeddingTable: setup.embeddingTable }),
  ];
}
