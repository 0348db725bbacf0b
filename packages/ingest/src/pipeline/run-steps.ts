import type { DocumentDraft, IngestStep, StepContext } from "./ingest-step.js";

/**
 * Runs `steps` in order on a draft: each gets the draft the one before returned. Reports a step's stage before it
 * runs, and stops with the signal's reason between steps once the signal is aborted.
 */
export async function runSteps(
  steps: readonly IngestStep[],
  draft: DocumentDraft,
  context: StepContext,
): Promise<DocumentDraft> {
  let current = draft;
  for (const step of steps) {
    context.signal?.throwIfAborted();
    if (step.stage) context.onProgress?.({ stage: step.stage });
    current = await step.run(current, context);
  }
  context.signal?.throwIfAborted();
  return current;
}
