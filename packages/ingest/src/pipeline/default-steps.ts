import type { Embedder } from "../types.js";
import { chunkStep } from "./chunk-step.js";
import { createCleanStep } from "./clean-step.js";
import { createEmbedStep } from "./embed-step.js";
import { createIndexTextStep } from "./index-text-step.js";
import type { IngestStep } from "./ingest-step.js";
import { parseStep } from "./parse-step.js";

/** What the default steps need. */
export interface DefaultStepsSetup {
  embedder: Embedder;
  /** See {@link createEmbedStep}. */
  embeddingTable: (workspaceId: string) => Promise<string>;
  /** See {@link createCleanStep}. */
  sharedFingerprints: (workspaceId: string, documentId: string, fingerprints: string[]) => Set<string>;
  /** See {@link createIndexTextStep}. */
  headingContext: boolean;
}

/** The ingestion pipeline: parse → clean → chunk → index text → embed. Storing follows, in the document writer. */
export function defaultSteps(setup: DefaultStepsSetup): IngestStep[] {
  return [
    parseStep,
    createCleanStep({ sharedFingerprints: setup.sharedFingerprints }),
    chunkStep,
    createIndexTextStep({ headingContext: setup.headingContext }),
    createEmbedStep({ embedder: setup.embedder, embeddingTable: setup.embeddingTable }),
  ];
}
