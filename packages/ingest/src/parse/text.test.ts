import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { decodeText } from "./decode-text.js";
import { fixture, sectionTexts } from "./test-support.js";
import { parseText } from "./text.js";

function failure(run: () => unknown): unknown {
  try {
    run();
  } catch (error) {
    return error;
  }
  throw new Error("expected a failure");
}

describe("parseText", () => {
  it("detects GBK (read as GB18030) and normalises CRLF line endings", () => {
    const document = parseText(fixture("gbk.txt"));
    expect(document.encoding).toBe("gb18030");
    expect(document.text).toBe(
      "缓存失效策略说明\n\n当数据源更新时,服务会广播失效消息,各节点删除本地缓存中对应的键。为避免缓存雪崩,过期时间加入随机抖动。\n如果消息丢失,条目最迟在十分钟后自然过期。\n",
    );
    expect(sectionTexts(document)).toEqual([{ headings: [], text: document.text.trimEnd() }]);
  });

  it("detects Big5", () => {
    const document = parseText(fixture("big5.txt"));
    expect(document.encoding).toBe("big5");
    expect(document.text).toBe(
      "資料庫備份說明\n\n每天凌晨進行一次完整備份,並保留最近七天的增量備份。還原前請先停止寫入服務,以免資料不一致。\n",
    );
  });

  it("decodes UTF-16 LE with a byte order mark and drops the mark", () => {
    const document = parseText(fixture("utf16le.txt"));
    expect(document.encoding).toBe("utf-16le");
    expect(document.text).toBe(
      "日志轮转\nLog files rotate daily and are kept for 14 days.\n压缩后的日志保存在 archive 目录。\n",
    );
  });

  it("decodes UTF-16 BE with a byte order mark", () => {
    const text = "大端序 big endian";
    const bytes = new Uint8Array(2 + text.length * 2);
    bytes.set([0xfe, 0xff]);
    for (let index = 0; index < text.length; index += 1) {
      bytes[2 + index * 2] = text.charCodeAt(index) >> 8;
      bytes[3 + index * 2] = text.charCodeAt(index) & 0xff;
    }
    expect(parseText({ name: "be.txt", bytes })).toMatchObject({ encoding: "utf-16be", text });
  });

  it("decodes UTF-8 with a byte order mark and drops the mark", () => {
    const document = parseText(fixture("utf8-bom.txt"));
    expect(document.encoding).toBe("utf-8");
    expect(document.text).toBe("带 BOM 的 UTF-8 文本。\nPlain UTF-8 with a byte order mark.\n");
  });

  it("rejects binary bytes in a .txt as invalid:binary, naming the file", () => {
    const error = failure(() => parseText(fixture("binary.txt")));
    expect(isZhikuError(error, "invalid:binary")).toBe(true);
    expect((error as Error).message).toContain('"binary.txt"');
  });

  it("rejects text that decodes to mostly control characters as invalid:binary", () => {
    const bytes = new Uint8Array(200).map((_, index) => 1 + (index % 8));
    const error = failure(() => parseText({ name: "controls.txt", bytes }));
    expect(isZhikuError(error, "invalid:binary")).toBe(true);
  });

  it("rejects a whitespace-only file as invalid:empty", () => {
    const error = failure(() => parseText({ name: "blank.txt", bytes: new TextEncoder().encode(" \n\t\n") }));
    expect(isZhikuError(error, "invalid:empty")).toBe(true);
    expect((error as Error).message).toContain('"blank.txt"');
  });

  it("rejects a UTF-8 byte order mark followed by invalid UTF-8 as invalid:encoding", () => {
    const bytes = Uint8Array.of(0xef, 0xbb, 0xbf, 0x61, 0xff, 0xfe, 0x62);
    const error = failure(() => decodeText({ name: "mixed.txt", bytes }));
    expect(isZhikuError(error, "invalid:encoding")).toBe(true);
    expect((error as Error).message).toContain('"mixed.txt"');
  });
});
