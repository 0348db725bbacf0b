import { describe, expect, it } from "vitest";
import { segmentWords, segmentWordsOfEach } from "./segment-words.js";

describe("segmentWords", () => {
  it("cuts Chinese into dictionary words, with the parts of long words for search", () => {
    const words = segmentWords("中文没有空格分词，因此全文索引常用二元组切分。").split(" ");
    expect(words).toEqual(
      expect.arrayContaining(["中文", "没有", "空格", "分词", "因此", "全文", "索引", "全文索引"]),
    );
    expect(words).not.toContain("，");
    expect(words).not.toContain("。");
  });

  it("keeps Latin words, codes and numbers whole and drops punctuation", () => {
    expect(segmentWords("Redis AOF 重写, 错误码 E1024!")).toBe("Redis AOF 重写 错误 误码 错误码 E1024");
  });

  it("keeps codes whole and adds their parts", () => {
    expect(segmentWords("用 C++ 和 C# 读 UTF-8 文件, 连接 redis_6379, 版本 v1.2.3, 占 50%.")).toBe(
      "用 C++ C 和 C# C 读 UTF-8 UTF 8 文件 连接 redis_6379 redis 6379 版本 v1.2.3 v1 2 3 占 50% 50",
    );
    expect(segmentWords("an in-memory store.")).toBe("an in-memory in memory store");
  });

  it("gives a query and the stored text the same words", () => {
    const stored = segmentWords("垃圾回收器把堆划分为多个区域").split(" ");
    for (const word of segmentWords("垃圾回收器").split(" ")) expect(stored).toContain(word);
  });

  it("cuts many texts at once into the same words as one at a time", () => {
    // More texts than go to jieba in one call, with and without Han runs, empty ones, and runs at either end.
    const texts = Array.from(
      { length: 40 },
      (_, index) =>
        [
          "全文索引用 jieba 分词",
          "",
          "only English, utf-8 and c++ here",
          "。，！",
          `第${index}章：向量检索与倒排索引结合`,
          "Redis 持久化\n\nAOF 重写",
        ][index % 6]!,
    );
    const together = segmentWordsOfEach(texts);
    expect(together).toHaveLength(texts.length);
    expect(together).toEqual(texts.map((text) => segmentWords(text)));
    expect(together[4]).toBe("第 4 章 向量 检索 与 倒排 索引 结合");
    expect(together[5]).toBe("Redis 持久 化 AOF 重写");
  });
});
