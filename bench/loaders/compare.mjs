#!/usr/bin/env node
/**
 * Zhiku's parsers against @langchain/community's document loaders on the ingest fixtures, format by format:
 * how much of the text a reader needs comes out, how much page noise stays in, whether pages and headings survive
 * for citations, and the time per file (median of repeated parses, this machine). Prints a table and writes
 * bench/results/loaders.json. Decides nothing by itself: the verdict in bench/README.md ("Document loaders") reads it.
 *
 *   npm run build && npm ci --prefix bench/loaders && node bench/loaders/compare.mjs [--runs 20]
 *
 * The community loaders are installed apart (bench/loaders/package.json): their peer dependencies would otherwise
 * replace the product's zod and @types/node in the workspaces.
 */
import { execFileSync } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { CSVLoader } from "@langchain/community/document_loaders/fs/csv";
import { DocxLoader } from "@langchain/community/document_loaders/fs/docx";
import { PDFLoader } from "@langchain/community/document_loaders/fs/pdf";
import { HtmlToTextTransformer } from "@langchain/community/document_transformers/html_to_text";
import { Document } from "@langchain/core/documents";
import { parseDocument } from "@zhiku/ingest";

// Each side runs in its own process: both bundle pdf.js, in different versions, and pdf.js keeps one worker per process.
const { values } = parseArgs({
  options: { runs: { type: "string", default: "20" }, side: { type: "string" } },
});
const runs = Number(values.runs);
const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = join(root, "packages/ingest/fixtures");

/** Each fixture: what a reader must find in it, what is page noise, and what citations need from the format. */
const cases = [
  {
    format: "pdf",
    file: "zh-two-page.pdf",
    expected: [
      "向量检索把文本映射为稠密向量,再按余弦相似度查找最接近的片段。",
      "Hybrid search combines BM25 keyword scores with vector similarity.",
      "中文没有空格分词,因此全文索引常用二元组切分。",
      "这样的精确字符串也需要全文索引才能命中。",
    ],
    noise: [],
    pages: { 向量检索把文本映射为稠密向量: 1, 中文没有空格分词: 2 },
    headings: null,
    community: (path) => new PDFLoader(path, { splitPages: true }).load(),
  },
  {
    format: "docx",
    file: "headings.docx",
    expected: ["升级前先备份数据目录,然后替换程序文件并重启服务。"],
    noise: [],
    pages: null,
    headings: { 升级前先备份数据目录: ["升级"] },
    community: (path) => new DocxLoader(path).load(),
  },
  {
    format: "html",
    file: "scraped-zh.html",
    expected: ["日志里的错误码如 ERR_CONN_RESET 或 0x80070005 需要逐字匹配。"],
    noise: [
      "首页",
      "标签云",
      "侧栏热门链接",
      "广告位招租",
      "相关文章",
      "网友甲",
      "京ICP备",
      "版权声明",
      "analytics",
    ],
    pages: null,
    headings: null,
    community: async (path) =>
      new HtmlToTextTransformer().transformDocuments([
        new Document({ pageContent: await readFile(path, "utf8"), metadata: { source: path } }),
      ]),
  },
  {
    format: "csv",
    file: "services.csv",
    expected: ["检索服务", "提供 HTTP 接口, 支持流式输出", "本地 SQLite 文件"],
    noise: [],
    pages: null,
    headings: null,
    community: (path) => new CSVLoader(path).load(),
  },
];

/** Width-folded, whitespace-collapsed text, so `，` and `,` or a line break inside a sentence do not count. */
function fold(text) {
  return text.normalize("NFKC").replace(/\s+/g, " ").trim();
}

function median(numbers) {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

async function timed(run) {
  await run();
  const times = [];
  for (let index = 0; index < runs; index++) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return median(times);
}

/** Zhiku's view of a fixture as pieces with the page and heading path a citation would carry. */
async function zhikuPieces(bytes, name) {
  const document = await parseDocument({ bytes, name });
  return document.sections.map((section) => ({
    text: document.text.slice(section.start, section.end),
    page: section.page ?? null,
    headings: section.headings,
  }));
}

/** The community loader's documents as the same pieces: pages from `loc.pageNumber`, no heading paths. */
async function communityPieces(load, path) {
  const documents = await load(path);
  return documents.map((document) => ({
    text: document.pageContent,
    page: document.metadata?.loc?.pageNumber ?? null,
    headings: [],
  }));
}

function score(pieces, spec) {
  const all = fold(pieces.map((piece) => piece.text).join("\n"));
  const found = spec.expected.filter((sentence) => all.includes(fold(sentence))).length;
  const noise = spec.noise.filter((word) => all.includes(word)).length;
  const pieceWith = (needle) => pieces.find((piece) => fold(piece.text).includes(fold(needle)));
  const pages = spec.pages
    ? Object.entries(spec.pages).filter(([needle, page]) => pieceWith(needle)?.page === page).length
    : null;
  const headings = spec.headings
    ? Object.entries(spec.headings).filter(
        ([needle, path]) => JSON.stringify(pieceWith(needle)?.headings) === JSON.stringify(path),
      ).length
    : null;
  return { found, noise, pages, headings, characters: all.length };
}

/** One side's results for every case, measured in this process. */
async function measure(side) {
  const results = [];
  for (const spec of cases) {
    const path = join(fixtures, spec.file);
    const bytes = new Uint8Array(await readFile(path));
    const pieces =
      side === "zhiku" ? () => zhikuPieces(bytes, spec.file) : () => communityPieces(spec.community, path);
    results.push({ ...score(await pieces(), spec), ms: await timed(pieces) });
  }
  return results;
}

if (values.side) {
  process.stdout.write(JSON.stringify(await measure(values.side)));
  process.exit(0);
}

const self = fileURLToPath(import.meta.url);
const sides = Object.fromEntries(
  ["zhiku", "community"].map((side) => [
    side,
    JSON.parse(
      execFileSync(process.execPath, [self, "--side", side, "--runs", String(runs)], { encoding: "utf8" }),
    ),
  ]),
);
const rows = [];
for (const [position, spec] of cases.entries()) {
  for (const [loader, result] of [
    ["zhiku", sides.zhiku[position]],
    ["@langchain/community", sides.community[position]],
  ]) {
    rows.push({
      format: spec.format,
      file: spec.file,
      loader,
      expectedFound: `${result.found}/${spec.expected.length}`,
      noiseKept: `${result.noise}/${spec.noise.length}`,
      pagesRight: spec.pages ? `${result.pages}/${Object.keys(spec.pages).length}` : "n/a",
      headingsRight: spec.headings ? `${result.headings}/${Object.keys(spec.headings).length}` : "n/a",
      characters: result.characters,
      msPerFile: Number(result.ms.toFixed(2)),
    });
  }
}
console.table(rows);
await writeFile(
  join(root, "bench/results/loaders.json"),
  `${JSON.stringify({ runs, node: process.version, rows }, null, 2)}\n`,
);
