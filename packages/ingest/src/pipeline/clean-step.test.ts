import { describe, expect, it } from "vitest";
import { lineFingerprint } from "../clean/index.js";
import { createCleanStep } from "./clean-step.js";
import { draftOf, parsedText } from "./test-support.js";

const footer = "本站所有文章均为原创，转载请联系编辑部获得授权许可";
const body = "线程池的核心参数决定了任务排队与拒绝的方式";

describe("clean step", () => {
  it("marks the edge lines other documents of the workspace share as boilerplate", async () => {
    const asked: unknown[] = [];
    const step = createCleanStep({
      sharedFingerprints: (workspaceId, documentId, fingerprints) => {
        asked.push({ workspaceId, documentId, fingerprints });
        return new Set([lineFingerprint(footer)!]);
      },
    });
    const draft = await step.run(draftOf("", { parsed: parsedText(`${body}\n${footer}\n${footer}`) }), {});
    expect(asked).toEqual([
      { workspaceId: "w", documentId: "d", fingerprints: [lineFingerprint(body), lineFingerprint(footer)] },
    ]);
    expect(draft.fingerprints).toEqual([lineFingerprint(body), lineFingerprint(footer)]);
    expect(draft.isBoilerplate?.(footer)).toBe(true);
    expect(draft.isBoilerplate?.(body)).toBe(false);
  });

  it("leaves isBoilerplate out when no line is shared", async () => {
    const step = createCleanStep({ sharedFingerprints: () => new Set() });
    const draft = await step.run(draftOf("", { parsed: parsedText(`${body}\n${footer}`) }), {});
    expect(draft.isBoilerplate).toBeUndefined();
    expect(draft.fingerprints).toHaveLength(2);
  });

  it("needs the parse step before it", () => {
    const step = createCleanStep({ sharedFingerprints: () => new Set() });
    expect(() => step.run(draftOf(body), {})).toThrow(/clean step needs a parsed document/);
  });
});
