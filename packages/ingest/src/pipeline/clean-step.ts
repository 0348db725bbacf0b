import { edgeLineFingerprints } from "../clean/index.js";
import { type IngestStep, parsedOf } from "./ingest-step.js";

/** What {@link createCleanStep} needs. */
export interface CleanStepSetup {
  /**
   * The fingerprints among `fingerprints` that enough other documents of the workspace share to make the line
   * boilerplate (see `FingerprintRepository.shared`).
   */
  sharedFingerprints: (workspaceId: string, documentId: string, fingerprints: string[]) => Set<string>;
}

/**
 * Step 2: finds the document's boilerplate, the first and last lines it shares with other documents of its
 * workspace (site footers, navigation), so the index-text step leaves them out. The text itself is kept as it is:
 * chunks and citations point into it.
 */
export function createCleanStep(setup: CleanStepSetup): IngestStep {
  return {
    name: "clean",
    run(draft) {
      const edgeLines = edgeLineFingerprints(parsedOf(draft, "clean").text);
      const fingerprints = [...new Set(edgeLines.values())];
      const shared = setup.sharedFingerprints(draft.workspaceId, draft.documentId, fingerprints);
      const boilerplateLines = new Set(
        [...edgeLines].filter(([, fingerprint]) => shared.has(fingerprint)).map(([line]) => line),
      );
      return {
        ...draft,
        fingerprints,
        isBoilerplate: boilerplateLines.size > 0 ? (line) => boilerplateLines.has(line) : undefined,
      };
    },
  };
}
