import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import type { IngestProgress } from "./ingest-types.js";
import { prepareDocument } from "./prepare-document.js";
import { createPrepareStep } from "./prepare-step.js";
import { draftOf } from "./test-support.js";

const step = createPrepareStep({ prepare: prepareDocument });

describe("prepare step", () => {
  it("adds the parsed document and its chunks to the draft, reporting parsing then chunking", async () => {
    const draft = draftOf("# 标题\n\n正文。");
    const stages: IngestProgress["stage"][] = [];
    const prepared = await step.run(draft, { onProgress: (progress) => stages.push(progress.stage) });
    expect(prepared.parsed).toMatchObject({ type: "markdown", title: "标题" });
    expect(prepared.parsed?.text).toContain("正文。");
    expect(prepared.chunks.map((chunk) => chunk.text).join("")).toContain("正文。");
    expect(stages).toEqual(["parsing", "chunking"]);
    expect(draft.parsed).toBeUndefined();
  });

  it("refuses a file over the limit, naming it and the limit", async () => {
    const error = await Promise.resolve(step.run(draftOf("x".repeat(2000), { maxBytes: 1000 }), {})).catch(
      (caught: unknown) => caught,
    );
    expect(isZhikuError(error, "too_large:file")).toBe(true);
    expect((error as Error).message).toMatch(
      /^note\.md: file is 0\.0 MB, over the 0\.0 MB limit \(MAX_UPLOAD_MB\)$/,
    );
  });

  it("hands the file to the prepare function it was given", async () => {
    const names: string[] = [];
    const recording = createPrepareStep({
      prepare: async (options) => {
        names.push(options.name);
        return prepareDocument(options);
      },
    });
    await recording.run(draftOf("正文。"), {});
    expect(names).toEqual(["note.md"]);
  });
});
