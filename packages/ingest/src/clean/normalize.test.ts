import { describe, expect, it } from "vitest";
import { normalizeForIndex } from "./normalize.js";

describe("normalizeForIndex", () => {
  it("folds full-width letters, digits and punctuation to ASCII and the ideographic space to a space", () => {
    expect(normalizeForIndex("ＡＰＩ　Ｖ２：ｅｒｒｏｒ（４０４）！")).toBe("api v2:error(404)!");
  });

  it("collapses whitespace runs including line breaks, trims, and lower-cases Latin only", () => {
    expect(normalizeForIndex("  Hybrid\tSearch\n\n混合  检索 \r\n BM25  ")).toBe(
      "hybrid search 混合 检索 bm25",
    );
  });

  it("keeps CJK text and CJK punctuation that has no ASCII form", () => {
    expect(normalizeForIndex("向量检索。全文索引、二元组")).toBe("向量检索。全文索引、二元组");
  });

  it("folds compatibility characters such as ligatures and circled numbers", () => {
    expect(normalizeForIndex("ﬁle ①")).toBe("file 1");
  });
});
