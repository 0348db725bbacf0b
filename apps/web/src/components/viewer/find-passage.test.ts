import { describe, expect, it } from "vitest";
import { findPassageItems } from "./find-passage";

// Text items as pdf.js gives them for a page: one per run of text, full-width punctuation as in the PDF.
const page = [
  "第二章 全文索引",
  "",
  "中文没有空格分词，因此全文索引常用二元组切分。错误码 E1024",
  "这样的精确字符串也需要全文索引才能命中。",
  "页脚 2",
];

describe("findPassageItems", () => {
  it("finds a passage the parser normalised (ASCII comma, joined lines) across several items", () => {
    const stored =
      "第二章 全文索引\n\n中文没有空格分词,因此全文索引常用二元组切分。错误码 E1024\n这样的精确字符串也需要全文索引才能命中。";
    expect(findPassageItems(page, stored)).toEqual([0, 2, 3]);
  });

  it("highlights as much as matches from the start when the passage runs on past the page", () => {
    const stored = "这样的精确字符串也需要全文索引才能命中。第三章 向量索引的构建";
    expect(findPassageItems(page, stored)).toEqual([3]);
  });

  it("matches by the passage's end when its start is not on the page", () => {
    const stored = "上一页末尾的几个字然后是中文没有空格分词，因此全文索引常用二元组切分。";
    expect(findPassageItems(page, stored)).toEqual([2]);
  });

  it("finds nothing for a passage from another page or an empty one", () => {
    expect(findPassageItems(page, "向量检索把文本映射为稠密向量，再按余弦相似度查找最接近的片段。")).toEqual(
      [],
    );
    expect(findPassageItems(page, "  \n")).toEqual([]);
  });
});
