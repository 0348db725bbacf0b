import { describe, expect, it } from "vitest";
import type { ErrorCode } from "../errors.js";
import { isZhikuError } from "../errors.js";
import { parseDocument } from "./index.js";
import { expectValidSections, fixture } from "./test-support.js";

describe("parseDocument", () => {
  it("parses every good fixture into valid sections with its detected type", async () => {
    const expected: [string, string][] = [
      ["zh-two-page.pdf", "pdf"],
      ["headings.docx", "docx"],
      ["scraped-zh.html", "html"],
      ["nested.md", "markdown"],
      ["gbk.txt", "text"],
      ["big5.txt", "text"],
      ["utf16le.txt", "text"],
      ["services.csv", "csv"],
      ["config.json", "json"],
    ];
    for (const [name, type] of expected) {
      const document = await parseDocument(fixture(name));
      expect(document.type, name).toBe(type);
      expectValidSections(document);
    }
  });

  it("fails each bad input alone with its code and a message naming the file", async () => {
    const cases: [{ bytes: Uint8Array; name: string }, ErrorCode][] = [
      [fixture("empty.txt"), "invalid:empty"],
      [fixture("binary.txt"), "invalid:binary"],
      [fixture("corrupt.pdf"), "invalid:corrupt"],
      [fixture("encrypted.pdf"), "invalid:encrypted"],
      [fixture("broken.json"), "invalid:corrupt"],
      [{ name: "not-really.pdf", bytes: new TextEncoder().encode("hello") }, "invalid:corrupt"],
      [{ name: "tool.exe", bytes: Uint8Array.of(0x4d, 0x5a, 0x90, 0x00, 0x03) }, "unsupported:type"],
      [
        { name: "photo.png", bytes: Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a) },
        "invalid:corrupt",
      ],
      [{ name: "anim.gif", bytes: new TextEncoder().encode("GIF89a\u0001\u0000") }, "unsupported:type"],
    ];
    for (const [input, code] of cases) {
      const error = await parseDocument(input).catch((caught: unknown) => caught);
      expect(isZhikuError(error, code), `${input.name}: ${String(error)}`).toBe(true);
      expect((error as Error).message).toContain(`"${input.name}"`);
    }
  });
});
