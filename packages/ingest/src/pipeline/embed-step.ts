import type { Embedder } from "../types.js";
import type { IngestStep } from "./ingest-step.js";

/** What {@link createEmbedStep} needs. */
export interface EmbedStepSetup {
  embedder: Embedder;
  /**
   * The chunk table of the workspace for this embedder (see `store/embedding-table.ts`); fails with
   * `conflict:embedding_model` before anything is embedded when the workspace holds vectors of another model.
   */
  embeddingTable: (workspaceId: string) => Promise<string>;
}

/** Step 5: a vector for the index text of each chunk, reporting `embedding` progress. */
export function createEmbedStep(setup: EmbedStepSetup): IngestStep {
  return {
    name: "embed",
    async run(draft, { signal, onProgress }) {
      const table = await setup.embeddingTable(draft.workspaceId);
      signal?.throwIfAborted();
      const total = draft.indexed.length;
      onProgress?.({ stage: "embedding", done: 0, total });
      const vectors = await setup.embedder.embed(
        draft.indexed.map((candidate) => candidate.indexText),
        { signal, onProgress: (done) => onProgress?.({ stage: "embedding", done, total }) },
      );
      return { ...draft, table, vectors };
    },
  };
}
