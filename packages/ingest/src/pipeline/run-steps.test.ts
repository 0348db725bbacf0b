import { describe, expect, it } from "vitest";
import type { IngestStep } from "./ingest-step.js";
import type { IngestProgress } from "./ingest-types.js";
import { runSteps } from "./run-steps.js";
import { draftOf } from "./test-support.js";

/** A step that appends its name to the draft's fingerprints, so the order shows. */
const named = (name: string, stage?: IngestStep["stage"]): IngestStep => ({
  name,
  stage,
  run: (draft) => ({ ...draft, fingerprints: [...draft.fingerprints, name] }),
});

describe("runSteps", () => {
  it("hands each step the draft of the one before and reports stages before their steps", async () => {
    const events: string[] = [];
    const draft = await runSteps(
      [named("parse", "parsing"), named("clean"), named("chunk", "chunking")],
      draftOf("x"),
      { onProgress: (progress: IngestProgress) => events.push(progress.stage) },
    );
    expect(draft.fingerprints).toEqual(["parse", "clean", "chunk"]);
    expect(events).toEqual(["parsing", "chunking"]);
  });

  it("a new step is one more entry in the list", async () => {
    const ocr: IngestStep = { name: "ocr", run: (draft) => ({ ...draft, fingerprints: ["ocr"] }) };
    const draft = await runSteps([ocr, named("clean")], draftOf("x"), {});
    expect(draft.fingerprints).toEqual(["ocr", "clean"]);
  });

  it("stops between steps once cancelled", async () => {
    const controller = new AbortController();
    const ran: string[] = [];
    const cancelling: IngestStep = {
      name: "first",
      run: (draft) => {
        ran.push("first");
        controller.abort(new Error("cancelled"));
        return draft;
      },
    };
    const second: IngestStep = {
      name: "second",
      run: (draft) => {
        ran.push("second");
        return draft;
      },
    };
    await expect(runSteps([cancelling, second], draftOf("x"), { signal: controller.signal })).rejects.toThrow(
      "cancelled",
    );
    expect(ran).toEqual(["first"]);
  });
});
