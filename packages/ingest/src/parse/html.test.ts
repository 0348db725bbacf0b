import { describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { parseHtml } from "./html.js";
import { parseDocument } from "./index.js";
import { expectValidSections, fixture, sectionTexts } from "./test-support.js";

const encoder = new TextEncoder();

describe("parseHtml", () => {
  it("extracts the article of a scraped Chinese page with its headings, title and byline", () => {
    const document = parseHtml(fixture("scraped-zh.html"));
    expect(document.type).toBe("html");
    expect(document.encoding).toBe("utf-8");
    expect(document.title).toBe("用倒排索引加速中文检索");
    expect(document.byline).toBe("李工");
    expectValidSections(document);
    const sections = sectionTexts(document);
    expect(sections.map((section) => section.headings)).toEqual([
      ["用倒排索引加速中文检索"],
      ["用倒排索引加速中文检索", "二元组切分"],
      ["用倒排索引加速中文检索", "二元组切分", "与分词器对比"],
      ["用倒排索引加速中文检索", "精确匹配错误码"],
    ]);
    expect(sections[1]?.text).toBe(
      "二元组切分\n\n二元组切分把相邻的两个汉字作为一个词项,例如“检索系统”会得到“检索”“索系”“系统”三个词项。它不依赖词典,新词和专有名词也能被找到,代价是索引体积更大。",
    );
    expect(document.text).toContain("日志里的错误码如 ERR_CONN_RESET 或 0x80070005 需要逐字匹配。");
  });

  it("drops navigation, sidebar, ads, share bar, related posts, comments, footer and scripts", () => {
    const { text } = parseHtml(fixture("scraped-zh.html"));
    for (const noise of [
      "首页",
      "标签云",
      "网站建设",
      "侧栏热门链接",
      "广告位招租",
      "点赞",
      "相关文章",
      "相关文章推荐标题一",
      "网友甲",
      "All rights reserved",
      "京ICP备",
      "版权声明",
      "analytics",
      "color: red",
    ]) {
      expect(text, noise).not.toContain(noise);
    }
  });

  it("separates paragraphs by blank lines and puts headings on their own lines", () => {
    const html = `<html><head><title>Notes</title></head><body><article>
      <h1>Notes</h1><p>First   paragraph
      spans lines.</p><h2>Lists</h2><ul><li>one</li><li>two</li></ul><p>Line<br>break</p>
      <pre>code  line 1
code line 2</pre></article></body></html>`;
    const document = parseHtml({ name: "notes.html", bytes: encoder.encode(html) });
    expect(document.title).toBe("Notes");
    expect(document.text).toBe(
      "Notes\n\nFirst paragraph spans lines.\n\nLists\n\n- one\n\n- two\n\nLine\nbreak\n\ncode  line 1\ncode line 2",
    );
    expect(sectionTexts(document).map((section) => section.headings)).toEqual([
      ["Notes"],
      ["Notes", "Lists"],
    ]);
  });

  it("falls back to the body without nav and footer when there is no article", () => {
    const html =
      "<html><body><nav>Home About</nav><div>Just one short line of body text.</div><footer>Footer text</footer></body></html>";
    const document = parseHtml({ name: "short.html", bytes: encoder.encode(html) });
    expect(document.text).toBe("Just one short line of body text.");
  });

  it("reads a fragment or plain text saved as .html, without <html> and <body>", async () => {
    expect(parseHtml({ name: "p.html", bytes: encoder.encode("<p>only a paragraph</p>") }).text).toBe(
      "only a paragraph",
    );
    const plain = parseHtml({
      name: "plain.html",
      bytes: encoder.encode("Just some text, no markup at all.\n"),
    });
    expect(plain.text).toBe("Just some text, no markup at all.");
    const titled = parseHtml({
      name: "titled.html",
      bytes: encoder.encode(
        "<!DOCTYPE html>\n<title>部署说明</title>\n<h1>部署说明</h1><p>先备份数据目录。</p>",
      ),
    });
    expect(titled.title).toBe("部署说明");
    expect(titled.text).toContain("先备份数据目录。");
    expect(titled.text).not.toMatch(/^部署说明\s*部署说明/);
    // Through the format detection too: a text-only .html is HTML, and readable.
    const detected = await parseDocument({ name: "note.html", bytes: encoder.encode("plain words only") });
    expect(detected).toMatchObject({ type: "html", text: "plain words only" });
  });

  it("decodes a GBK page by its meta charset", () => {
    const gbk = fixture("gbk.txt").bytes;
    const head = encoder.encode('<html><head><meta charset="gbk"><title>t</title></head><body><p>');
    const tail = encoder.encode("</p></body></html>");
    const bytes = new Uint8Array([...head, ...gbk, ...tail]);
    const document = parseHtml({ name: "gbk.html", bytes });
    expect(document.encoding).toBe("gb18030");
    expect(document.text).toContain("缓存失效策略说明");
  });

  it("fails with invalid:empty when the page has no text", () => {
    const html = "<html><head><script>var x = 1;</script></head><body><nav>menu</nav></body></html>";
    const error = (() => {
      try {
        parseHtml({ name: "blank.html", bytes: encoder.encode(html) });
      } catch (caught) {
        return caught;
      }
    })();
    expect(isZhikuError(error, "invalid:empty")).toBe(true);
    expect((error as Error).message).toContain('"blank.html"');
  });
});
