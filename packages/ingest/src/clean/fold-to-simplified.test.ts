import { describe, expect, it } from "vitest";
import { foldToSimplified } from "./fold-to-simplified.js";

describe("foldToSimplified", () => {
  it("folds Traditional characters, Taiwan and Hong Kong variants to Simplified ones", () => {
    expect(foldToSimplified("即赫羅圖")).toBe("即赫罗图");
    expect(foldToSimplified("臺灣的軟體裡面")).toBe("台湾的软体里面");
    expect(foldToSimplified("衞生 衛生")).toBe("卫生 卫生");
  });

  it("converts by phrase where one Traditional character has two Simplified ones", () => {
    expect(foldToSimplified("乾隆年間天氣乾燥")).toBe("乾隆年间天气干燥");
    expect(foldToSimplified("後來的皇后")).toBe("后来的皇后");
  });

  it("leaves Simplified Chinese, other scripts, codes and punctuation as they are", () => {
    const text = "第4章：向量检索与倒排索引结合，尚恩有什么爱好？ Redis AOF, utf-8, c++ — ソフト 한국어";
    expect(foldToSimplified(text)).toBe(text);
  });
});
