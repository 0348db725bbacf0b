import { describe, expect, it } from "vitest";
import { parseCsv } from "./csv.js";
import { expectValidSections, fixture } from "./test-support.js";

describe("parseCsv", () => {
  it("turns each row into a self-describing line, leaving out empty cells and keeping quoted commas", () => {
    const document = parseCsv(fixture("services.csv"));
    expect(document.type).toBe("csv");
    expect(document.text).toBe(
      [
        "名称: 检索服务; 端口: 8080; 说明: 提供 HTTP 接口, 支持流式输出",
        "名称: 嵌入服务; 端口: 11434; 说明: 向量化文本",
        "名称: 数据库; 说明: 本地 SQLite 文件",
      ].join("\n"),
    );
    expect(document.sections).toEqual([{ headings: [], start: 0, end: document.text.length }]);
  });

  it("reads .tsv files with tabs", () => {
    expect(parseCsv(fixture("settings.tsv")).text).toBe(
      "key: chunkSize; value: 500\nkey: chunkOverlap; value: 75",
    );
  });

  it("groups rows into sections of 25 that split only between rows", () => {
    const rows = ["id,name", ...Array.from({ length: 60 }, (_, index) => `${index},item ${index}`)].join(
      "\n",
    );
    const document = parseCsv({ name: "many.csv", bytes: new TextEncoder().encode(rows) });
    expectValidSections(document);
    expect(document.sections).toHaveLength(3);
    const second = document.sections[1]!;
    expect(document.text.slice(second.start, second.end).split("\n")[0]).toBe("id: 25; name: item 25");
  });
});
