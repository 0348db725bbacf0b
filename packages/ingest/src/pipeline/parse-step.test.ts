import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { parseStep } from "./parse-step.js";
import { draftOf } from "./test-support.js";

describe("parse step", () => {
  it("adds the parsed document to the draft", async () => {
    const draft = draftOf("# 标题\n\n正文。");
    const parsed = await parseStep.run(draft, {});
    expect(parsed.parsed).toMatchObject({ type: "markdown", title: "标题" });
    expect(parsed.parsed?.text).toContain("正文。");
    expect(draft.parsed).toBeUndefined();
  });

  it("refuses a file over the limit, naming it and the limit", async () => {
    const error = await Promise.resolve(
      parseStep.run(draftOf("x".repeat(2000), { maxBytes: 1000 }), {}),
    ).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "too_large:file")).toBe(true);
    expect((error as Error).message).toMatch(
      /^note\.md: file is 0\.0 MB, over the 0\.0 MB limit \(MAX_UPLOAD_MB\)$/,
    );
  });

  it("starts the parsing stage", () => {
    expect(parseStep.stage).toBe("parsing");
  });
});
