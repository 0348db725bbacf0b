import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { isZhikuError } from "../errors.js";
import type { Chunk, ParsedDocument, Section } from "../types.js";
import { chunkDocument, countTokens, isWhitespaceCode } from "./index.js";

/** One whole-text section without headings. */
function plainDocument(text: string): ParsedDocument {
  return { type: "text", text, sections: [{ headings: [], start: 0, end: text.length }] };
}

/** Projects chunks onto the fields the literal tests compare. */
function summary(chunks: Chunk[]) {
  return chunks.map(({ text, start, end, headings }) => ({ text, start, end, headings }));
}

/**
 * A minimal Markdown sectioner for the invariant tests: a new section at each ATX heading outside code fences,
 * with the heading path. The real parser lives in parse/; this one only has to produce valid sections.
 */
function markdownDocument(text: string): ParsedDocument {
  const sections: Section[] = [];
  const path: string[] = [];
  let sectionStart = 0;
  let inFence = false;
  let offset = 0;
  for (const line of text.split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) inFence = !inFence;
    const heading = inFence ? null : /^(#{1,6})\s+(.*)$/.exec(line);
    if (heading) {
      if (offset > sectionStart) sections.push({ headings: [...path], start: sectionStart, end: offset });
      const level = heading[1]!.length;
      path.length = Math.min(path.length, level - 1);
      path.push(heading[2]!.trim());
      sectionStart = offset;
    }
    offset += line.length + 1;
  }
  if (text.length > sectionStart)
    sections.push({ headings: [...path], start: sectionStart, end: text.length });
  return { type: "markdown", text, sections };
}

/**
 * The chunker's contract, checked on any document: exact slices, trimmed, within one section with its headings,
 * within the size, every non-whitespace character covered, and nothing repeated beyond the overlap.
 */
function expectInvariants(
  document: ParsedDocument,
  chunks: Chunk[],
  chunkSize: number,
  chunkOverlap: number,
) {
  const coverage = new Uint8Array(document.text.length);
  chunks.forEach((chunk, index) => {
    expect(chunk.index).toBe(index);
    expect(chunk.text).toBe(document.text.slice(chunk.start, chunk.end));
    expect(chunk.text.length).toBeGreaterThan(0);
    expect(chunk.text.trim()).toBe(chunk.text);
    expect(chunk.tokens).toBe(countTokens(chunk.text));
    expect(chunk.tokens).toBeLessThanOrEqual(chunkSize);
    const section = document.sections.find(
      (candidate) => candidate.start <= chunk.start && chunk.start < candidate.end,
    );
    expect(section).toBeDefined();
    expect(chunk.end).toBeLessThanOrEqual(section!.end);
    expect(chunk.headings).toEqual(section!.headings);
    expect(chunk.page).toBe(section!.page);
    for (let offset = chunk.start; offset < chunk.end; offset++) coverage[offset]! += 1;

    const previous = chunks[index - 1];
    if (previous && previous.end > chunk.start) {
      // Overlapping neighbours: same section, moving forward, sharing no more than the overlap.
      expect(previous.headings).toEqual(chunk.headings);
      expect(chunk.start).toBeGreaterThan(previous.start);
      expect(chunk.end).toBeGreaterThan(previous.end);
      expect(countTokens(document.text.slice(chunk.start, previous.end))).toBeLessThanOrEqual(chunkOverlap);
    } else if (previous) {
      expect(chunk.start).toBeGreaterThanOrEqual(previous.end);
    }
  });
  // Per-character checks collect failures instead of calling expect per character, which would be slow.
  const lost: number[] = [];
  const doubled: number[] = [];
  for (const section of document.sections) {
    for (let offset = section.start; offset < section.end; offset++) {
      if (isWhitespaceCode(document.text.charCodeAt(offset))) continue;
      if (coverage[offset] === 0) lost.push(offset);
      if (coverage[offset]! > (chunkOverlap === 0 ? 1 : 2)) doubled.push(offset);
    }
  }
  const show = (offsets: number[]) =>
    offsets.slice(0, 3).map((offset) => document.text.slice(offset, offset + 20));
  expect(show(lost), "characters in no chunk").toEqual([]);
  expect(show(doubled), "characters in more chunks than the overlap allows").toEqual([]);
}

describe("countTokens", () => {
  test("counts one token per CJK character, punctuation included", () => {
    expect(countTokens("你好，世界。")).toBe(6);
    expect(countTokens("ひらがなカタカナ한국어")).toBe(11);
  });

  test("counts Latin words by length, at least one token each", () => {
    expect(countTokens("hello world")).toBe(3); // 1.25 + 1.25
    expect(countTokens("a b c d")).toBe(4);
    expect(countTokens("configuration")).toBe(4); // 13 / 4
    expect(countTokens("3.14")).toBe(3);
  });

  test("counts mixed text, symbols and astral characters, and nothing for whitespace", () => {
    expect(countTokens("数据库 database")).toBe(5);
    expect(countTokens("👍 𠀀")).toBe(2);
    expect(countTokens(" \n\t\u3000")).toBe(0);
    expect(countTokens("")).toBe(0);
  });
});

describe("chunkDocument on literal inputs", () => {
  test("splits Chinese at paragraphs and sentence ends, merging small pieces up to the size", () => {
    const text = "第一段第一句。第一段第二句！\n\n第二段只有一句话。";
    const chunks = chunkDocument(plainDocument(text), { chunkSize: 10, chunkOverlap: 0 });
    expect(summary(chunks)).toEqual([
      { text: "第一段第一句。", start: 0, end: 7, headings: [] },
      { text: "第一段第二句！", start: 7, end: 14, headings: [] },
      { text: "第二段只有一句话。", start: 16, end: 25, headings: [] },
    ]);
    expect(chunks.map((chunk) => chunk.tokens)).toEqual([7, 7, 9]);
  });

  test("merges whole paragraphs when they fit together", () => {
    const text = "甲。\n\n乙。\n\n丙丁戊己庚。";
    const chunks = chunkDocument(plainDocument(text), { chunkSize: 6, chunkOverlap: 0 });
    expect(summary(chunks)).toEqual([
      { text: "甲。\n\n乙。", start: 0, end: 6, headings: [] },
      { text: "丙丁戊己庚。", start: 8, end: 14, headings: [] },
    ]);
  });

  test("starts the overlap at a sentence boundary", () => {
    const text = "短句一。短句二。短句三。短句四。";
    const chunks = chunkDocument(plainDocument(text), { chunkSize: 12, chunkOverlap: 5 });
    expect(summary(chunks)).toEqual([
      { text: "短句一。短句二。短句三。", start: 0, end: 12, headings: [] },
      { text: "短句三。短句四。", start: 8, end: 16, headings: [] },
    ]);
  });

  test("keeps English abbreviations and decimals inside sentences, and splits long sentences at clauses", () => {
    const text = "Dr. Smith measured pi as 3.14 today. The value, e.g. for circles, is fixed. Done!";
    const chunks = chunkDocument(plainDocument(text), { chunkSize: 14, chunkOverlap: 0 });
    expect(summary(chunks)).toEqual([
      { text: "Dr. Smith measured pi as 3.14 today.", start: 0, end: 36, headings: [] },
      { text: "The value, e.g. for circles,", start: 37, end: 65, headings: [] },
      { text: "is fixed. Done!", start: 66, end: 81, headings: [] },
    ]);
  });

  test("overlaps English chunks by whole sentences", () => {
    const text = "One two. Three four. Five six. Seven eight.";
    const chunks = chunkDocument(plainDocument(text), { chunkSize: 9, chunkOverlap: 4 });
    expect(summary(chunks)).toEqual([
      { text: "One two. Three four.", start: 0, end: 20, headings: [] },
      { text: "Three four. Five six.", start: 9, end: 30, headings: [] },
      { text: "Five six. Seven eight.", start: 21, end: 43, headings: [] },
    ]);
  });

  test("never lets a chunk span two sections, and takes headings and page from its section", () => {
    const text = "# 安装\n\n先装依赖。\n## Linux\n\nRun apt install redis. Then start it.";
    const document: ParsedDocument = {
      type: "pdf",
      text,
      sections: [
        { headings: ["安装"], page: 1, start: 0, end: 12 },
        { headings: ["安装", "Linux"], page: 2, start: 12, end: text.length },
      ],
    };
    const chunks = chunkDocument(document, { chunkSize: 100, chunkOverlap: 10 });
    expect(chunks).toEqual([
      { index: 0, text: "# 安装\n\n先装依赖。", start: 0, end: 11, headings: ["安装"], page: 1, tokens: 8 },
      {
        index: 1,
        text: "## Linux\n\nRun apt install redis. Then start it.",
        start: 12,
        end: text.length,
        headings: ["安装", "Linux"],
        page: 2,
        tokens: countTokens("## Linux\n\nRun apt install redis. Then start it."),
      },
    ]);
  });

  test("trims whitespace off chunk ranges and skips empty sections", () => {
    const text = "\n\n   正文在这里。  \n\n\u3000\u3000 \n";
    const document: ParsedDocument = {
      type: "text",
      text,
      sections: [
        { headings: [], start: 0, end: 17 },
        { headings: ["空"], start: 17, end: text.length },
      ],
    };
    expect(summary(chunkDocument(document))).toEqual([
      { text: "正文在这里。", start: 5, end: 11, headings: [] },
    ]);
  });

  test("cuts text without any boundary by characters, without breaking surrogate pairs", () => {
    const text = "𠀀".repeat(5) + "零一二三四五六七八九".repeat(3);
    const chunks = chunkDocument(plainDocument(text), { chunkSize: 8, chunkOverlap: 0 });
    expect(chunks.map((chunk) => chunk.text)).toEqual([
      "𠀀𠀀𠀀𠀀𠀀零一二",
      "三四五六七八九零",
      "一二三四五六七八",
      "九零一二三四五六",
      "七八九",
    ]);
    expectInvariants(plainDocument(text), chunks, 8, 0);
  });

  test("cuts a long unbroken token (a base64 blob) by characters within the size", () => {
    const blob = "QUJDREVGR0hJSktMTU5PUFFSU1RVVldYWVo".repeat(20);
    const text = `Before the blob. ${blob} After the blob.`;
    const document = plainDocument(text);
    const chunks = chunkDocument(document, { chunkSize: 50, chunkOverlap: 8 });
    expect(chunks.length).toBeGreaterThan(3);
    expectInvariants(document, chunks, 50, 8);
  });

  test("rejects sizes that cannot work", () => {
    const document = plainDocument("文本");
    expect(() => chunkDocument(document, { chunkSize: 0 })).toThrow(/chunkSize/);
    let caught: unknown;
    try {
      chunkDocument(document, { chunkSize: 10, chunkOverlap: 10 });
    } catch (error) {
      caught = error;
    }
    expect(isZhikuError(caught, "invalid:input")).toBe(true);
  });
});

const fixturesDirectory = fileURLToPath(new URL("./fixtures/", import.meta.url));
const fixtureFiles = readdirSync(fixturesDirectory).filter(
  (name) => name.endsWith(".md") && name !== "SOURCES.md",
);
const sizes = [
  { chunkSize: 500, chunkOverlap: 75 },
  { chunkSize: 120, chunkOverlap: 18 },
  { chunkSize: 30, chunkOverlap: 5 },
  { chunkSize: 7, chunkOverlap: 0 },
];

describe("chunkDocument invariants on real documents", () => {
  test("the fixtures are there", () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(3);
  });

  for (const name of fixtureFiles) {
    for (const { chunkSize, chunkOverlap } of sizes) {
      test(`${name} at ${chunkSize}/${chunkOverlap} tokens loses and doubles nothing`, () => {
        const document = markdownDocument(readFileSync(join(fixturesDirectory, name), "utf8"));
        const chunks = chunkDocument(document, { chunkSize, chunkOverlap });
        expectInvariants(document, chunks, chunkSize, chunkOverlap);
      });
    }
  }

  test("the default size yields chunks of about 500 tokens on a Chinese page", () => {
    const document = markdownDocument(
      readFileSync(join(fixturesDirectory, "zh-jvm-gc-algorithms.md"), "utf8"),
    );
    const chunks = chunkDocument(document);
    expect(Math.max(...chunks.map((chunk) => chunk.tokens))).toBeGreaterThan(250);
    expect(chunks.every((chunk) => chunk.tokens <= 500)).toBe(true);
  });
});

// The shared corpus sits beside the repository in development checkouts; a clone without it skips this.
const corpusDirectory = fileURLToPath(new URL("../../../../../shared/corpus/", import.meta.url));

function listMarkdown(directory: string): string[] {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return listMarkdown(path);
    return name.endsWith(".md") && name !== "SOURCES.md" ? [path] : [];
  });
}

describe.skipIf(!existsSync(corpusDirectory))("chunkDocument invariants on the whole shared corpus", () => {
  test("every corpus file at the default size and a small size", () => {
    for (const path of listMarkdown(corpusDirectory)) {
      const document = markdownDocument(readFileSync(path, "utf8"));
      expectInvariants(document, chunkDocument(document), 500, 75);
      expectInvariants(document, chunkDocument(document, { chunkSize: 60, chunkOverlap: 9 }), 60, 9);
    }
  });
});
