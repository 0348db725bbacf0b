import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { parseJson } from "./json.js";
import { expectValidSections, fixture, sectionTexts } from "./test-support.js";

describe("parseJson", () => {
  it("flattens JSON into path: value lines with one section per top-level key", () => {
    const document = parseJson(fixture("config.json"));
    expect(document.type).toBe("json");
    expectValidSections(document);
    expect(sectionTexts(document)).toEqual([
      { headings: ["name"], text: "name: 检索服务" },
      { headings: ["version"], text: "version: 2" },
      {
        headings: ["endpoints"],
        text: [
          "endpoints[0].path: /api/search",
          "endpoints[0].method: POST",
          "endpoints[0].description: 混合检索",
          "endpoints[1].path: /api/health",
          "endpoints[1].method: GET",
        ].join("\n"),
      },
      { headings: ["limits"], text: "limits.maxUploadMb: 50\nlimits.enabled: true\nlimits.note: null" },
    ]);
  });

  it("quotes awkward keys and handles top-level arrays, empty containers and scalars", () => {
    const encode = (value: string) => new TextEncoder().encode(value);
    expect(parseJson({ name: "a.json", bytes: encode('[{"a b": [], "c": {}}, "x\\ny"]') }).text).toBe(
      '[0]["a b"]: []\n[0].c: {}\n[1]: x y',
    );
    expect(parseJson({ name: "s.json", bytes: encode('"just text"') }).text).toBe("just text");
  });

  it("rejects invalid JSON as invalid:corrupt, naming the file, line and column", () => {
    const error = (() => {
      try {
        parseJson(fixture("broken.json"));
      } catch (caught) {
        return caught;
      }
    })();
    expect(isZhikuError(error, "invalid:corrupt")).toBe(true);
    expect((error as Error).message).toContain('"broken.json" is not valid JSON at line 3, column 16');
  });
});
