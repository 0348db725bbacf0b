import { describe, expect, it } from "vitest";
import type { Chunk } from "../types.js";
import { createIndexTextStep, indexTextsOf } from "./index-text-step.js";
import { draftOf, parsedText } from "./test-support.js";

const text = "导航 首页 关于我们\n缓存穿透可以用布隆过滤器挡住";
const chunks: Chunk[] = [
  { index: 0, text: "导航 首页 关于我们", start: 0, end: 9, headings: [], tokens: 5 },
  {
    index: 1,
    text: "缓存穿透可以用布隆过滤器挡住",
    start: 10,
    end: text.length,
    headings: ["缓存"],
    tokens: 9,
  },
];

describe("index-text step", () => {
  it("prefixes the title and heading path and leaves out chunks that are all boilerplate", async () => {
    const step = createIndexTextStep({ headingContext: true });
    const draft = await step.run(
      draftOf("", {
        parsed: parsedText(text, "Redis 手册"),
        chunks,
        isBoilerplate: (line) => line === "导航 首页 关于我们",
      }),
      {},
    );
    expect(draft.indexed).toEqual([
      { chunk: chunks[1], indexText: "redis 手册 > 缓存\n缓存穿透可以用布隆过滤器挡住" },
    ]);
  });

  it("keeps the bare text without heading context", () => {
    expect(indexTextsOf({ parsed: parsedText(text, "Redis 手册"), chunks, headingContext: false })).toEqual([
      "导航 首页 关于我们",
      "缓存穿透可以用布隆过滤器挡住",
    ]);
  });
});
