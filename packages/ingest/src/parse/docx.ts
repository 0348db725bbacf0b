import type JSZip from "jszip";
import { parseHTML } from "linkedom";
import mammoth from "mammoth";
import { ZhikuError } from "../errors.js";
import type { ParsedDocument } from "../types.js";
import type { DocumentInput } from "./detect-type.js";
import { type WalkableNode, walkHtml } from "./html-to-text.js";
import { DocumentTextBuilder } from "./text-builder.js";
import { openZipWithinLimits } from "./zip-archive.js";

/** Keeps Word's "Title" style as a plain paragraph (its text is the document title, not a heading level). */
const styleMap = ["p[style-name='Title'] => p:fresh", "p[style-name='Subtitle'] => p:fresh"];

function decodeXmlEntities(text: string): string {
  return text.replace(/&(lt|gt|amp|quot|apos|#\d+|#x[\da-f]+);/gi, (entity, body: string) => {
    const named: Record<string, string> = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };
    if (body[0] !== "#") return named[body.toLowerCase()] ?? entity;
    const code =
      body[1] === "x" || body[1] === "X"
        ? Number.parseInt(body.slice(2), 16)
        : Number.parseInt(body.slice(1), 10);
    return Number.isFinite(code) ? String.fromCodePoint(code) : entity;
  });
}

/** Reads `dc:title` and `dc:creator` from docProps/core.xml of the checked archive, when present. */
async function coreProperties(archive: JSZip): Promise<{ title?: string; creator?: string }> {
  const xml = await archive.file("docProps/core.xml")?.async("string");
  if (!xml) return {};
  const read = (tag: string) => {
    const match = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`).exec(xml);
    const value = match?.[1] ? decodeXmlEntities(match[1]).trim() : "";
    return value || undefined;
  };
  const title = read("dc:title");
  const creator = read("dc:creator");
  return { ...(title ? { title } : {}), ...(creator ? { creator } : {}) };
}

/**
 * Parses a Word document (.docx) with mammoth: Heading 1–6 become sections with heading paths,
 * paragraphs are separated by blank lines, list items start with "- ". Title and author come from
 * the document properties (docProps/core.xml).
 */
export async function parseDocx(input: DocumentInput): Promise<ParsedDocument> {
  // Before mammoth inflates anything, with mammoth's own ZIP reader: a small upload must not expand into gigabytes.
  const archive = await openZipWithinLimits({ name: input.name, bytes: input.bytes });
  let html: string;
  try {
    const result = await mammoth.convertToHtml({ buffer: Buffer.from(input.bytes) }, { styleMap });
    html = result.value;
  } catch (error) {
    throw new ZhikuError(
      "invalid:corrupt",
      `"${input.name}" is not a readable Word document: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const document = parseHTML(`<!DOCTYPE html><html><body>${html}</body></html>`).document as unknown as {
    body: WalkableNode;
  };
  const builder = new DocumentTextBuilder();
  walkHtml(document.body, builder);
  const { text, sections } = builder.build();
  if (!text) throw new ZhikuError("invalid:empty", `"${input.name}" contains no text.`);
  const { title, creator } = await coreProperties(archive);
  return {
    type: "docx",
    text,
    sections,
    ...(title ? { title } : {}),
    ...(creator ? { byline: creator } : {}),
  };
}
