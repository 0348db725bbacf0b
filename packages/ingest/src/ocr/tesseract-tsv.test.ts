import { describe, expect, it } from "vitest";
import { parseTesseractTsv } from "./tesseract-tsv.js";

const header =
  "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext";

/** A TSV word row: block, paragraph, line, word number, box, confidence, text. */
function word(
  position: [block: number, paragraph: number, line: number, wordNumber: number],
  box: [left: number, top: number, width: number, height: number],
  confidence: number,
  text: string,
): string {
  return ["5", "1", ...position, ...box, confidence.toFixed(6), text].join("\t");
}

/** The structural rows Tesseract writes before words (confidence -1), which carry no text. */
function structure(level: number, block: number, paragraph = 0, line = 0): string {
  return [String(level), "1", block, paragraph, line, 0, 0, 0, 100, 20, "-1", ""].join("\t");
}

const tsv = (rows: string[]) => [header, ...rows].join("\n");

describe("parseTesseractTsv", () => {
  it("joins words with spaces, Chinese characters without, and wrapped Chinese lines of a paragraph without a break", () => {
    const page = parseTesseractTsv(
      tsv([
        structure(1, 0),
        structure(2, 1),
        structure(3, 1, 1),
        structure(4, 1, 1, 1),
        word([1, 1, 1, 1], [10, 10, 40, 20], 96, "垃圾"),
        word([1, 1, 1, 2], [52, 10, 40, 20], 95, "回收"),
        word([1, 1, 1, 3], [100, 10, 60, 20], 93, "Minor"),
        word([1, 1, 1, 4], [165, 10, 40, 20], 94, "GC，"),
        word([1, 1, 1, 5], [210, 10, 40, 20], 92, "存活"),
        word([1, 1, 2, 1], [10, 40, 40, 20], 91, "对象"),
        word([1, 1, 2, 2], [52, 40, 40, 20], 90, "被复制。"),
        word([2, 1, 1, 1], [10, 90, 60, 20], 97, "Redis"),
        word([2, 1, 1, 2], [75, 90, 70, 20], 96, "Cluster"),
        word([2, 1, 2, 1], [10, 120, 60, 20], 95, "shards"),
        word([2, 1, 2, 2], [75, 120, 50, 20], 94, "keys."),
      ]),
      { minConfidence: 60 },
    );
    expect(page.lines.map((line) => [line.text, line.paragraph])).toEqual([
      ["垃圾回收 Minor GC，存活", 0],
      ["对象被复制。", 0],
      ["Redis Cluster", 1],
      ["shards keys.", 1],
    ]);
    expect(page.text).toBe("垃圾回收 Minor GC，存活对象被复制。\n\nRedis Cluster\nshards keys.");
    expect(page.lowConfidence).toEqual([]);
    expect(page.confidence).toBeGreaterThan(90);
    expect(page.confidence).toBeLessThan(97);
  });

  it("orders a line's words left to right and puts a fragment cut off into its own block back at the line's end", () => {
    const page = parseTesseractTsv(
      tsv([
        word([1, 1, 1, 2], [120, 10, 50, 20], 90, "world"),
        word([1, 1, 1, 1], [10, 10, 100, 20], 90, "hello"),
        word([2, 1, 1, 1], [10, 60, 200, 20], 90, "next line"),
        // Tesseract's own layout put the end of the first line after the page: same row, just right of it.
        word([3, 1, 1, 1], [180, 11, 30, 20], 88, "区。"),
        // A short fragment far to the right (another column) stays where it is.
        word([4, 1, 1, 1], [900, 10, 30, 20], 88, "注"),
      ]),
      { minConfidence: 60 },
    );
    expect(page.lines.map((line) => line.text)).toEqual(["hello world 区。", "next line", "注"]);
  });

  it("splits a paragraph where a gap clearly wider than the usual line pitch separates two of its lines", () => {
    const tops = [10, 40, 70, 100, 145, 175];
    const page = parseTesseractTsv(
      tsv(tops.map((top, index) => word([1, 1, index + 1, 1], [10, top, 200, 20], 95, `第${index + 1}行。`))),
      { minConfidence: 60 },
    );
    expect(page.lines.map((line) => line.paragraph)).toEqual([0, 0, 0, 0, 1, 1]);
    expect(page.text).toBe("第1行。第2行。第3行。第4行。\n\n第5行。第6行。");
  });

  it("flags words below the threshold with their line, and drops empty words and rows without a confidence", () => {
    const page = parseTesseractTsv(
      tsv([
        word([1, 1, 1, 1], [10, 10, 40, 20], 95, "计数器"),
        word([1, 1, 1, 2], [60, 10, 40, 20], 95, " "),
        word([1, 1, 2, 1], [10, 40, 40, 20], 41.5, "帧"),
        word([1, 1, 2, 2], [52, 40, 40, 20], 93, "随着"),
        word([1, 1, 3, 1], [10, 70, 40, 20], -1, "ghost"),
      ]),
      { minConfidence: 60 },
    );
    expect(page.lines.map((line) => line.text)).toEqual(["计数器", "帧随着"]);
    expect(page.lowConfidence).toEqual([{ page: 1, line: 2, text: "帧", confidence: 41.5 }]);
  });

  it("reads a page without words as no lines and no text", () => {
    const page = parseTesseractTsv(tsv([structure(1, 0)]), { minConfidence: 60 });
    expect(page).toEqual({ lines: [], text: "", confidence: 0, lowConfidence: [] });
  });

  it("refuses output that is not Tesseract TSV", () => {
    expect(() => parseTesseractTsv("Estimating resolution as 274\n", { minConfidence: 60 })).toThrow(
      /unexpected Tesseract TSV header/,
    );
  });
});
