import { describe, expect, it } from "vitest";
import {
  boilerplateRanges,
  edgeLineFingerprints,
  isBuiltInBoilerplate,
  lineFingerprint,
  splitLines,
  withoutRanges,
} from "./boilerplate.js";

describe("splitLines", () => {
  it("splits on LF, CRLF and CR", () => {
    expect(splitLines("a\nb\r\nc\rd")).toEqual(["a", "b", "c", "d"]);
  });
});

describe("lineFingerprint", () => {
  it("ignores whitespace, case, full-width forms and differing digits", () => {
    const fingerprint = lineFingerprint("张小明 2026/1/9 10:00:27 网站建设");
    expect(fingerprint).toMatch(/^[0-9a-f]{16}$/);
    expect(lineFingerprint("张小明  2026/1/6 4:27:40  网站建设")).toBe(fingerprint);
    expect(lineFingerprint("Copyright 2024 Example Inc.")).toBe(
      lineFingerprint("COPYRIGHT  ２０２５ Example Inc."),
    );
  });

  it("tells lines apart by their codes and numbers, not by dates, times or years", () => {
    const line = (shard: number) =>
      `ERR-430${shard} means the disk quota of shard ${shard} was exceeded; run zk-admin shard ${shard} --grow.`;
    expect(lineFingerprint(line(3))).not.toBe(lineFingerprint(line(4)));
    expect(lineFingerprint("Listening on port 8080")).not.toBe(lineFingerprint("Listening on port 9090"));
    expect(lineFingerprint("ERR-2024 disk full")).not.toBe(lineFingerprint("ERR-2025 disk full"));
    expect(lineFingerprint("© 2024–2026 Example Inc.")).toBe(lineFingerprint("© 2023–2025 Example Inc."));
    expect(lineFingerprint("更新于 2026年1月9日 10:00")).toBe(lineFingerprint("更新于 2025年12月31日 9:41"));
  });

  it("tells different lines apart", () => {
    expect(lineFingerprint("倒排索引记录每个词出现的位置")).not.toBe(lineFingerprint("二元组切分不依赖词典"));
  });

  it("gives no fingerprint to very short or digits-only lines", () => {
    expect(lineFingerprint("首页")).toBeUndefined();
    expect(lineFingerprint("2026/1/9 10:00:27")).toBeUndefined();
    expect(lineFingerprint("   ")).toBeUndefined();
  });
});

describe("edgeLineFingerprints", () => {
  it("fingerprints the first and last lines of a document, not its middle", () => {
    // Each line gets its own ideograph so that no two share a fingerprint.
    const lines = Array.from(
      { length: 30 },
      (_, index) => `正文段落${String.fromCharCode(0x4e00 + index * 7)}的内容`,
    );
    const edges = edgeLineFingerprints(["首页", "", ...lines].join("\n"), 5);
    // "首页" is too short to fingerprint and does not use up one of the five lines.
    const expected = [0, 1, 2, 3, 4, 25, 26, 27, 28, 29].map((index) => lines[index]!);
    expect([...edges.keys()].sort()).toEqual(expected.sort());
    for (const [line, fingerprint] of edges) expect(fingerprint).toBe(lineFingerprint(line));
  });

  it("takes every line of a short document once", () => {
    const lines = [
      "张小明 2026/1/9 10:00:27 网站建设",
      "COPYRIGHT  ２０２５ Example Inc.",
      "倒排索引记录每个词出现的位置",
    ];
    const edges = edgeLineFingerprints(`${lines[0]}\r\n${lines[1]}\n首页\n${lines[2]}`, 40);
    expect([...edges.keys()]).toEqual(lines);
  });
});

describe("isBuiltInBoilerplate", () => {
  it("catches common single-page noise in Chinese and English", () => {
    for (const line of [
      "版权声明:本文来自互联网用户投稿,该文观点仅代表作者本人,不代表本站立场。",
      "版权声明：本文为博主原创文章，遵循 CC 4.0 BY-SA 版权协议，转载请附上原文出处链接和本声明。",
      "本文链接:https://example.com/post/42",
      "原文链接：https://example.com/a",
      "转载请注明出处,谢谢合作",
      "免责声明:本站内容仅供参考。",
      "Copyright © 2025 Example Ltd. All rights reserved.",
      "© 2024 码农笔记站",
      "All Rights Reserved",
      "点赞 收藏 关注 分享",
      "点赞 12 收藏 3 评论 5",
      "上一篇:如何配置缓存",
      "下一篇：日志轮转实践",
      "下一篇",
      "Next post »",
      "相关推荐",
      "相关文章",
      "Related posts",
      "京ICP备12345678号",
    ]) {
      expect(isBuiltInBoilerplate(line), line).toBe(true);
    }
  });

  it("keeps article sentences that only mention such words", () => {
    for (const line of [
      "倒排索引记录每个词出现在哪些文档里。",
      "本节讨论版权声明在开源许可证中的作用,以及如何在仓库里写清楚。",
      "We follow and share the design notes with the team.",
      "关注点分离是模块设计的基本原则。",
      "上一篇文章介绍了分词,这一篇讲索引合并。",
    ]) {
      expect(isBuiltInBoilerplate(line), line).toBe(false);
    }
  });
});

describe("boilerplateRanges and withoutRanges", () => {
  const page = [
    "望牛墩镇仿做网站做网站的开发环境",
    "",
    "张小明 2026/1/9 10:00:27",
    "多模态学习研究如何让系统理解来自不同模态的信息。",
    "版权声明:本文来自互联网用户投稿,该文观点仅代表作者本人,不代表本站立场。",
    "点赞 收藏 分享",
    "相关文章",
  ].join("\n");
  const indexed = (text: string, isBoilerplate?: (line: string) => boolean) =>
    withoutRanges(text, 0, boilerplateRanges(text, isBoilerplate));

  it("leaves out built-in noise and the lines the caller marks as boilerplate, keeping the rest in order", () => {
    expect(indexed(page, (line) => line === "张小明 2026/1/9 10:00:27")).toBe(
      "望牛墩镇仿做网站做网站的开发环境\n\n\n多模态学习研究如何让系统理解来自不同模态的信息。\n\n\n",
    );
    expect(indexed(page)).toBe(
      "望牛墩镇仿做网站做网站的开发环境\n\n张小明 2026/1/9 10:00:27\n多模态学习研究如何让系统理解来自不同模态的信息。\n\n\n",
    );
  });

  it("leaves out nothing when that would leave no text: cleaning never empties a document", () => {
    const footer = "本站所有文章均为原创，转载请联系编辑部获得授权许可";
    expect(
      boilerplateRanges(`${footer}\n\n版权所有：本站保留一切权利。\n`, (line) => line === footer),
    ).toEqual([]);
    expect(boilerplateRanges(`正文。\n${footer}`, (line) => line === footer)).toHaveLength(1);
  });

  it("judges whole lines of the document, so a chunk starting mid-line leaves out its part of a noise line", () => {
    const text =
      "正文第一句。\n版权声明:本文来自互联网用户投稿。如若内容造成侵权,请联系删除!\n正文最后一句。";
    const ranges = boilerplateRanges(text);
    const start = text.indexOf("如若");
    // The chunk begins after the 版权声明 prefix that the pattern recognises.
    expect(withoutRanges(text.slice(start), start, ranges)).toBe("\n正文最后一句。");
    expect(withoutRanges(text.slice(0, start), 0, ranges)).toBe("正文第一句。\n");
  });

  it("leaves out a trailing listing of other articles: same-template lines at an even spacing to the end", () => {
    const body = "多模态学习研究如何让系统理解和关联来自不同模态的信息，例如视觉、语言和音频。".repeat(20);
    const items = [
      [
        "EmotiVoice语音合成语音备份功能",
        "在数字时代,我们早已习惯用照片和视频记录亲人的模样...",
        "张小明 2026/1/6 4:27:40 网站建设",
      ],
      [
        "Unix 进程间通信与程序执行机制详解",
        "管道是所有 Unix 系统都提供的一种进程间通信机制...",
        "张小明 2026/1/5 21:41:49 网站建设",
      ],
      [
        "3分钟学会用markmap",
        "Visualize markdown documents as mindmaps...",
        "张小明 2026/1/8 22:07:29 网站建设",
      ],
    ];
    const text = [
      "标题",
      "",
      "张小明 2026/1/9 10:00:27 网站建设",
      body,
      "",
      ...items.flatMap((item) => [...item, ""]),
    ].join("\n");
    const kept = indexed(text);
    expect(kept).toContain(body);
    // The byline higher up has the same template but is not part of the evenly spaced run.
    expect(kept).toContain("张小明 2026/1/9 10:00:27 网站建设");
    for (const line of items.flat()) expect(kept).not.toContain(line);
  });

  it("keeps look-alike entries that are most of the document, and short runs", () => {
    const changelog = Array.from({ length: 6 }, (_, index) =>
      [`## 版本 1.${index}.0 发布于 2026-01-0${index + 1}`, `修复了第 ${index} 个问题和若干改进`].join("\n"),
    ).join("\n");
    expect(indexed(changelog)).toBe(changelog);
    const two = `${"正文。".repeat(50)}\n推荐 A\n作者 2026/1/1 阅读 10\n推荐 B\n作者 2026/1/2 阅读 20`;
    expect(indexed(two)).toBe(two);
    // Evenly spaced look-alike lines without a date or a time: code blocks, table rows, program output.
    const examples = `${"正文。".repeat(200)}\n${Array.from(
      { length: 4 },
      (_, index) => `\`\`\`python\nrs.search(Query("@age:[${index} 40]"))\n\`\`\``,
    ).join(
      "\n",
    )}\n${Array.from({ length: 4 }, (_, index) => `| ${index} | 104 | 255 |\n+---+---+---+`).join("\n")}`;
    expect(indexed(examples)).toBe(examples);
  });
});
