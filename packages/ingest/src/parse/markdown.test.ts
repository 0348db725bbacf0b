import { describe, expect, it } from "vitest";
import { findMarkdownHeadings, frontMatterLength, parseMarkdown } from "./markdown.js";
import { expectValidSections, fixture, sectionTexts } from "./test-support.js";

const encoder = new TextEncoder();

describe("parseMarkdown", () => {
  it("keeps the source as text, drops front matter from sections and builds nested heading paths", () => {
    const document = parseMarkdown(fixture("nested.md"));
    expect(document.type).toBe("markdown");
    expect(document.encoding).toBe("utf-8");
    expect(document.title).toBe("检索服务指南");
    expect(document.text).not.toContain("\r");
    expect(document.text.startsWith("---\ntitle: 前置信息不是正文\n")).toBe(true);
    expectValidSections(document);
    expect(sectionTexts(document)).toEqual([
      { headings: ["检索服务指南"], text: "# 检索服务指南\n\n这份指南介绍检索服务的配置。" },
      {
        headings: ["检索服务指南", "安装"],
        text: "## 安装\n\nInstall the package and start the service.\n\n```bash\n# 这不是标题\nnpm install\n```",
      },
      {
        headings: ["检索服务指南", "安装", "在 Linux 上"],
        text: "### 在 Linux 上\n\n使用 systemd 管理进程。",
      },
      { headings: ["检索服务指南", "配置项"], text: "配置项\n------\n\n- `DATA_DIR`:数据目录。" },
      { headings: ["常见问题"], text: "# 常见问题\n\n如果端口被占用,请修改 PORT。" },
    ]);
  });

  it("puts text before the first heading in a section without headings, and takes the title from front matter when there is no H1", () => {
    const source = "---\ntitle: 'Ops notes'\n---\nIntro line.\n\n## Backups\n\nNightly.\n";
    const document = parseMarkdown({ name: "ops.md", bytes: encoder.encode(source) });
    expect(document.title).toBe("Ops notes");
    expect(sectionTexts(document)).toEqual([
      { headings: [], text: "Intro line." },
      { headings: ["Backups"], text: "## Backups\n\nNightly." },
    ]);
  });

  it("keeps a page that is only front matter as one section instead of failing", () => {
    const source = '---\ntitle: "Use Redis"\ndescription: A developer guide\n---\n';
    const document = parseMarkdown({ name: "_index.md", bytes: encoder.encode(source) });
    expect(document.title).toBe("Use Redis");
    expect(sectionTexts(document)).toEqual([{ headings: [], text: source.trimEnd() }]);
  });

  it("fails with invalid:empty on a whitespace-only file", () => {
    expect(() => parseMarkdown({ name: "blank.md", bytes: encoder.encode("\n  \n") })).toThrow(
      /"blank.md" contains no text/,
    );
  });
});

describe("findMarkdownHeadings", () => {
  it("ignores headings in fenced and indented code, hashtags without a space, and thematic breaks", () => {
    const source = [
      "# A *styled* `title` #",
      "#hashtag",
      "~~~",
      "## not a heading",
      "~~~",
      "    # indented code",
      "",
      "---",
      "",
      "Setext One",
      "==========",
      "- list item",
      "---",
      "#### [Linked](https://example.com) heading",
    ].join("\n");
    expect(findMarkdownHeadings(source).map(({ level, text }) => ({ level, text }))).toEqual([
      { level: 1, text: "A styled title" },
      { level: 1, text: "Setext One" },
      { level: 4, text: "Linked heading" },
    ]);
  });

  it("measures YAML front matter including its closing line", () => {
    expect(frontMatterLength("---\na: 1\n---\nbody")).toBe(13);
    expect(frontMatterLength("no front matter\n---\n")).toBe(0);
    expect(frontMatterLength("---\nunclosed")).toBe(0);
  });
});
