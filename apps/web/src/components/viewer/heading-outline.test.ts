import { describe, expect, it } from "vitest";
import type { PlacedChunk } from "../../lib/api-types";
import { flattenOutline, headingOutline } from "./heading-outline";

function chunk(index: number, start: number, headings: string[]): PlacedChunk {
  return { chunkId: `c${index}`, index, start, end: start + 5, headings, page: null };
}

describe("headingOutline", () => {
  it("nests headings by their paths and starts each at its first chunk", () => {
    const outline = headingOutline([
      chunk(0, 0, []),
      chunk(1, 10, ["手册"]),
      chunk(2, 20, ["手册", "休假"]),
      chunk(3, 30, ["手册", "休假", "年假"]),
      chunk(4, 40, ["手册", "休假", "年假"]),
      chunk(5, 50, ["手册", "休假", "病假"]),
      chunk(6, 60, ["手册", "报销"]),
    ]);
    const shape = (nodes: typeof outline): unknown =>
      nodes.map((node) => [node.title, node.start, shape(node.children)]);
    expect(shape(outline)).toEqual([
      [
        "手册",
        10,
        [
          [
            "休假",
            20,
            [
              ["年假", 30, []],
              ["病假", 50, []],
            ],
          ],
          ["报销", 60, []],
        ],
      ],
    ]);
    const ids = flattenOutline(outline).map((node) => node.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it("opens a section's whole path when the document skips a level, and follows chunk order", () => {
    const outline = headingOutline([chunk(1, 30, ["B"]), chunk(0, 0, ["A", "A.1"])]);
    expect(flattenOutline(outline).map((node) => [node.title, node.start])).toEqual([
      ["A", 0],
      ["A.1", 0],
      ["B", 30],
    ]);
  });

  it("is empty for a document without headings", () => {
    expect(headingOutline([chunk(0, 0, []), chunk(1, 9, [])])).toEqual([]);
  });
});
