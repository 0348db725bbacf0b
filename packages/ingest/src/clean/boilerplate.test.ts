import { describe, expect, it } from "vitest";
import {
  edgeLineFingerprints,
  isBuiltInBoilerplate,
  lineFingerprint,
  splitLines,
  stripBoilerplate,
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
    // Digits do not tell lines apart (they become 0), so each line gets its own ideograph.
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

describe("stripBoilerplate", () => {
  const page = [
    "望牛墩镇仿做网站做网站的开发环境",
    "",
    "张小明 2026/1/9 10:00:27",
    "多模态学习研究如何让系统理解来自不同模态的信息。",
    "版权声明:本文来自互联网用户投稿,该文观点仅代表作者本人,不代表本站立场。",
    "点赞 收藏 分享",
    "相关文章",
  ].join("\n");

  it("removes built-in noise and the lines the caller marks as boilerplate, keeping the rest in order", () => {
    expect(stripBoilerplate(page, (line) => line === "张小明 2026/1/9 10:00:27")).toBe(
      "望牛墩镇仿做网站做网站的开发环境\n\n多模态学习研究如何让系统理解来自不同模态的信息。",
    );
  });

  it("applies only the built-in patterns when no judge is given", () => {
    expect(stripBoilerplate(page)).toBe(
      "望牛墩镇仿做网站做网站的开发环境\n\n张小明 2026/1/9 10:00:27\n多模态学习研究如何让系统理解来自不同模态的信息。",
    );
  });
});
