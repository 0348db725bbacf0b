import { describe, expect, it } from "vitest";
import { hanPairs, indexWordsOfEach, queryTerms, segmentWords, segmentWordsOfEach } from "./segment-words.js";

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

  it("folds Traditional runs to Simplified before cutting them, so both scripts give the same words", () => {
    expect(segmentWords("即赫羅圖，溫度與亮度")).toBe(segmentWords("即赫罗图，温度与亮度"));
    expect(segmentWords("繁體中文 utf-8")).toBe("繁体 中文 繁体中文 utf-8 utf 8");
  });
});

describe("hanPairs", () => {
  it("gives the overlapping character pairs of a run, marked, and none for one character", () => {
    expect(hanPairs("赫罗图")).toEqual(["赫罗_", "罗图_"]);
    expect(hanPairs("图")).toEqual([]);
    // Characters outside the Basic Multilingual Plane count as one character each.
    expect(hanPairs("𠀋𠀍字")).toEqual(["𠀋𠀍_", "𠀍字_"]);
  });
});

describe("indexWordsOfEach and queryTerms", () => {
  it("index a text as its words followed by the marked pairs of each Han run, not across runs", () => {
    const [indexed] = indexWordsOfEach(["即赫羅圖，Redis 持久化"]);
    const words = segmentWords("即赫羅圖，Redis 持久化");
    expect(indexed).toBe(`${words} 即赫_ 赫罗_ 罗图_ 持久_ 久化_`);
    expect(indexWordsOfEach(["only English, utf-8", ""])).toEqual(["only English utf-8 utf 8", ""]);
  });

  it("give a query the same words and pairs as the stored text, so an unknown name meets by its pair", () => {
    const query = queryTerms("尚恩有什么爱好");
    expect(query.words).toBe(segmentWords("尚恩有什么爱好"));
    expect(query.pairs.split(" ")).toContain("尚恩_");
    const [stored] = indexWordsOfEach(["尚恩喜欢打篮球"]);
    expect(stored!.split(" ")).toContain("尚恩_");
    expect(queryTerms("，。！")).toEqual({ words: "", pairs: "" });
  });

  it("give a Traditional query its unfolded words too, for chunks indexed before folding", () => {
    const query = queryTerms("赫羅圖");
    expect(query.words.split(" ")).toEqual(expect.arrayContaining(["赫罗图", "赫羅圖"]));
    expect(query.pairs).toBe("赫罗_ 罗图_");
    // A Simplified query is its folded self: nothing added.
    expect(queryTerms("赫罗图").words).toBe(segmentWords("赫罗图"));
  });

  it("cut many texts at once as one at a time", () => {
    const texts = Array.from(
      { length: 20 },
      (_, index) => ["臺灣的軟體", "", "utf-8 and c++", `第${index}章向量檢索`][index % 4]!,
    );
    expect(indexWordsOfEach(texts)).toEqual(texts.map((text) => indexWordsOfEach([text])[0]));
  });
});
