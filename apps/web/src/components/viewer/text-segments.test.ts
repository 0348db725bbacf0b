import { describe, expect, it } from "vitest";
import { segmentText } from "./text-segments";

describe("segmentText", () => {
  it("cuts at the passage's ends and at anchors, losing nothing", () => {
    const text = "# A\n\nalpha beta\n\n## B\n\ngamma";
    const segments = segmentText(text, {
      mark: { start: 11, end: 15 },
      anchors: [
        { id: "h1", offset: 0 },
        { id: "h2", offset: 17 },
      ],
    });
    expect(segments).toEqual([
      { text: "# A\n\nalpha ", marked: false, anchors: ["h1"] },
      { text: "beta", marked: true, anchors: [] },
      { text: "\n\n", marked: false, anchors: [] },
      { text: "## B\n\ngamma", marked: false, anchors: ["h2"] },
    ]);
    expect(segments.map((segment) => segment.text).join("")).toBe(text);
  });

  it("splits a passage at an anchor inside it and marks both halves", () => {
    const segments = segmentText("abcdef", { mark: { start: 1, end: 5 }, anchors: [{ id: "x", offset: 3 }] });
    expect(segments.filter((segment) => segment.marked).map((segment) => segment.text)).toEqual(["bc", "de"]);
  });

  it("keeps an anchor at the very end, and ignores an empty passage", () => {
    expect(segmentText("ab", { mark: { start: 1, end: 1 }, anchors: [{ id: "end", offset: 2 }] })).toEqual([
      { text: "ab", marked: false, anchors: [] },
      { text: "", marked: false, anchors: ["end"] },
    ]);
  });
});
