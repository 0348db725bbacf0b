import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { parseDocx } from "./docx.js";
import { expectValidSections, fixture, sectionTexts } from "./test-support.js";

describe("parseDocx", () => {
  it("keeps headings as nested sections and reads title and author from the document properties", async () => {
    const document = await parseDocx(fixture("headings.docx"));
    expect(document.type).toBe("docx");
    expect(document.title).toBe("部署手册");
    expect(document.byline).toBe("知库测试");
    expectValidSections(document);
    expect(sectionTexts(document)).toEqual([
      { headings: [], text: "部署手册" },
      {
        headings: ["准备工作"],
        text: "准备工作\n\n部署前请确认服务器至少有 4 GB 内存,并已安装 Node.js 20。",
      },
      {
        headings: ["准备工作", "在 Linux 上安装"],
        text: "在 Linux 上安装\n\nRun the installer with sudo and keep the data directory on a local disk.",
      },
      { headings: ["升级"], text: "升级\n\n升级前先备份数据目录,然后替换程序文件并重启服务。" },
    ]);
  });

  it("rejects a ZIP that is not a Word document as invalid:corrupt, naming the file", async () => {
    const docx = fixture("headings.docx");
    const damaged = { name: "damaged.docx", bytes: docx.bytes.slice(0, 200) };
    const error = await parseDocx(damaged).catch((caught: unknown) => caught);
    expect(isZhikuError(error, "invalid:corrupt")).toBe(true);
    expect((error as Error).message).toContain('"damaged.docx"');
  });
});
