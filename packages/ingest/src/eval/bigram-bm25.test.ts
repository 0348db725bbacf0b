import { describe, expect, it } from "vitest";
import { bigramTerms, createBigramBm25 } from "./bigram-bm25.js";

describe("bigramTerms", () => {
  it("cuts Han runs into overlapping pairs and keeps other words whole, lower-cased", () => {
    expect(bigramTerms("即赫羅圖，Redis 6379 號")).toEqual(["即赫", "赫羅", "羅圖", "號", "redis", "6379"]);
  });
});

describe("createBigramBm25", () => {
  it("ranks the documents sharing the rarer pairs first and leaves out those sharing none", () => {
    const bm25 = createBigramBm25([
      { document: "a", text: "網球是一項體育運動" },
      { document: "b", text: "赫羅圖描繪恆星的溫度與亮度" },
      { document: "c", text: "恆星的生命由星雲坍縮開始" },
    ]);
    expect(bm25.rank("赫羅圖是什麼")).toEqual(["b"]);
    expect(bm25.rank("恆星的溫度")[0]).toBe("b");
    expect(bm25.rank("尚恩")).toEqual([]);
  });
});
