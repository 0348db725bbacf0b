import { Readability } from "@mozilla/readability";
import { parseHTML } from "linkedom";
import { ZhikuError } from "../errors.js";
import type { ParsedDocument } from "../types.js";
import { decodeText } from "./decode-text.js";
import type { DocumentInput } from "./detect-type.js";
import { HEADING_LEVEL_ATTRIBUTE, type WalkableNode, walkHtml } from "./html-to-text.js";
import { DocumentTextBuilder } from "./text-builder.js";

/** Elements that are page furniture, never article text. */
const furnitureSelector = "script, style, noscript, template, iframe, svg, form, nav, aside, footer, dialog";

/**
 * Class or id words that mark noise blocks: ads, share and like bars, comments, related and
 * recommended posts, breadcrumbs, pagination, copyright footers. Matched against whole words of
 * the class/id (split on spaces, dashes and underscores), so `related-posts` matches but
 * `unrelated` does not.
 */
const noiseWords = new Set(
  (
    "ad ads advert adverts advertisement banner breadcrumb breadcrumbs comment comments disqus share sharing " +
    "social related recommend recommended recommendation recommendations sidebar widget widgets pagination pager " +
    "copyright subscribe newsletter popup modal cookie cookies toolbar menu navbar nav footer masthead sponsor " +
    "sponsored promo reward likes"
  ).split(" "),
);

interface ElementLike extends WalkableNode {
  className?: string;
  id?: string;
  getAttribute(name: string): string | null;
  setAttribute(name: string, value: string): void;
  querySelector(selector: string): ElementLike | null;
  querySelectorAll(selector: string): ArrayLike<ElementLike>;
  closest(selector: string): ElementLike | null;
  remove(): void;
}

function isNoise(element: ElementLike): boolean {
  const words = `${element.getAttribute("class") ?? ""} ${element.getAttribute("id") ?? ""}`
    .toLowerCase()
    .split(/[\s_-]+/);
  return words.some((word) => noiseWords.has(word));
}

/** Removes page furniture and noise blocks, keeping anything that holds the article itself. */
function removeNoise(document: ElementLike): void {
  for (const element of Array.from(document.querySelectorAll(furnitureSelector))) element.remove();
  // A page-level <header> is furniture; an <header> inside the article holds its title and byline.
  for (const element of Array.from(document.querySelectorAll("header"))) {
    if (!element.closest("article, main")) element.remove();
  }
  for (const element of Array.from(document.querySelectorAll("[class], [id]"))) {
    const tag = element.nodeName.toUpperCase();
    if (tag === "HTML" || tag === "BODY" || tag === "MAIN" || tag === "ARTICLE") continue;
    if (!isNoise(element)) continue;
    if (element.querySelector("article, main, h1")) continue;
    element.remove();
  }
}

/**
 * `markup` as a whole document: its doctype and any `<html>`, `<head>` and `<body>` tags dropped, its `<title>` put in
 * a head and everything else in a body.
 */
function asWholeDocument(markup: string): string {
  const titles: string[] = [];
  const content = markup
    .replace(/<!doctype[^>]*>/gi, "")
    .replace(/<\/?(?:html|head|body)(?:\s[^>]*)?>/gi, "")
    .replace(/<title(?:\s[^>]*)?>[\s\S]*?<\/title>/gi, (title) => {
      titles.push(title);
      return "";
    });
  return `<!DOCTYPE html><html><head>${titles.join("")}</head><body>${content}</body></html>`;
}

type Page = ElementLike & { title: string; body: ElementLike | null };

/**
 * Parses a page with linkedom, which (unlike a browser) adds no implied `<html>`, `<head>` or `<body>`: plain text
 * saved as .html would have no document element at all, and a fragment such as `<p>…</p>` no body. Such markup is
 * parsed again as a whole document (see {@link asWholeDocument}).
 */
function parsePage(markup: string): Page {
  const parsed = parseHTML(markup).document as unknown as {
    documentElement: { nodeName: string; children: ArrayLike<{ nodeName: string }> } | null;
  };
  const root = parsed.documentElement;
  const whole =
    root?.nodeName.toUpperCase() === "HTML" &&
    Array.from(root.children).some((child) => child.nodeName.toUpperCase() === "BODY");
  return (whole ? parsed : parseHTML(asWholeDocument(markup)).document) as unknown as Page;
}

function declaredCharset(bytes: Uint8Array): string | undefined {
  const head = new TextDecoder("latin1").decode(bytes.subarray(0, 2048));
  return /<meta[^>]+charset\s*=\s*["']?\s*([\w-]+)/i.exec(head)?.[1];
}

function collapse(text: string | null | undefined): string {
  return (text ?? "").replace(/\s+/g, " ").trim();
}

/**
 * Drops a site name from a page title ("Article - Site" → "Article") when one side of the
 * separator is the page's own `<h1>`; otherwise the title is kept whole.
 */
function siteNameRemoved(title: string, topHeadings: string[]): string | undefined {
  if (!title) return undefined;
  const parts = title.split(/\s+[-|–—_·»]\s+|\s*[|｜]\s*/).map((part) => part.trim());
  const match = parts.find((part) => part && topHeadings.includes(part));
  return match ?? title;
}

function textLength(text: string | null | undefined): number {
  return (text ?? "").replace(/\s+/g, "").length;
}

/**
 * Parses an HTML page: the main content is picked Readability-style after navigation, sidebars,
 * footers, ads, share bars, comments and related-post blocks are removed; when Readability finds
 * no article the cleaned body is used. Headings become sections; `<title>` and the byline are kept.
 */
export function parseHtml(input: DocumentInput): ParsedDocument {
  const { text: html, encoding } = decodeText({ ...input, declaredEncoding: declaredCharset(input.bytes) });
  const page = parsePage(html);
  removeNoise(page);
  const topHeadings: string[] = [];
  for (const heading of Array.from(page.querySelectorAll("h1, h2, h3, h4, h5, h6"))) {
    heading.setAttribute(HEADING_LEVEL_ATTRIBUTE, heading.nodeName.slice(1));
    if (heading.nodeName.toUpperCase() === "H1") topHeadings.push(collapse(heading.textContent));
  }
  const pageTitle = siteNameRemoved(collapse(page.title), topHeadings);
  const fallbackBody = parseHTML(
    `<!DOCTYPE html><html><body>${page.body ? bodyHtml(page.body) : ""}</body></html>`,
  ).document as unknown as ElementLike & { body: ElementLike };

  // Readability rewrites the tree it is given, so it gets the page and the fallback keeps a copy.
  const article = new Readability(page as never, { charThreshold: 20 }).parse();
  const title = pageTitle || siteNameRemoved(collapse(article?.title), topHeadings);
  const builder = new DocumentTextBuilder();
  if (article?.content && textLength(article.textContent) > 0) {
    const content = parseHTML(`<!DOCTYPE html><html><body>${article.content}</body></html>`)
      .document as unknown as ElementLike & { body: ElementLike };
    // Readability drops an <h1> that repeats the title; put it back so heading paths match the page.
    const kept = Array.from(content.querySelectorAll("h1, h2, h3, h4, h5, h6")).map((heading) =>
      collapse(heading.textContent),
    );
    if (title && topHeadings.includes(title) && !kept.includes(title)) builder.addHeading(1, title);
    walkHtml(content.body, builder);
  } else {
    walkHtml(fallbackBody.body, builder);
  }
  const { text, sections } = builder.build();
  if (!text) throw new ZhikuError("invalid:empty", `"${input.name}" has no readable text in its HTML.`);
  const byline = article?.byline?.replace(/\s+/g, " ").trim() || undefined;
  return {
    type: "html",
    text,
    sections,
    encoding,
    ...(title ? { title } : {}),
    ...(byline ? { byline } : {}),
  };
}

function bodyHtml(body: ElementLike): string {
  return (body as unknown as { innerHTML: string }).innerHTML;
}
