import { ZhikuError } from "../errors.js";
import type { ParsedDocument, Section } from "../types.js";
import { decodeText } from "./decode-text.js";
import type { DocumentInput } from "./detect-type.js";

/** A heading found in Markdown source. */
export interface MarkdownHeading {
  /** 1–6. */
  level: number;
  /** Heading text without markers and inline formatting. */
  text: string;
  /** Offset where the heading's first line starts. */
  start: number;
}

const atxHeading = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/;
const setextUnderline = /^ {0,3}(=+|-+)[ \t]*$/;
const fenceOpen = /^ {0,3}(`{3,}|~{3,})/;
const notParagraph = /^ {0,3}(?:[-+*][ \t]|\d{1,9}[.)][ \t]|>|#|```|~~~)|^(?: {4}|\t)/;

/** Strips inline Markdown from heading text: code ticks, emphasis, links and images keep only their text. */
function plainHeading(text: string): string {
  return text
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
    .replace(/`+([^`]*)`+/g, "$1")
    .replace(/(\*\*|__)(.+?)\1/g, "$2")
    .replace(/(\*|_)(.+?)\1/g, "$2")
    .replace(/\s+/g, " ")
    .trim();
}

/** Length of a leading YAML (`---`) or TOML (`+++`) front matter block, 0 when there is none. */
export function frontMatterLength(text: string): number {
  const opening = /^(---|\+\+\+)[ \t]*\n/.exec(text);
  if (!opening) return 0;
  const closing = opening[1] === "---" ? /^(?:---|\.\.\.)[ \t]*$/m : /^\+\+\+[ \t]*$/m;
  const rest = text.slice(opening[0].length);
  const match = closing.exec(rest);
  if (!match) return 0;
  const end = opening[0].length + match.index + match[0].length;
  return text[end] === "\n" ? end + 1 : end;
}

/**
 * Finds ATX (`## Title`) and setext (`Title` over `===`/`---`) headings, skipping fenced code
 * blocks and indented code. Setext headings are recognised for one-line paragraphs.
 */
export function findMarkdownHeadings(text: string, from = 0): MarkdownHeading[] {
  const headings: MarkdownHeading[] = [];
  let fence: { marker: string; length: number } | undefined;
  let previous: { text: string; start: number; isParagraphStart: boolean } | undefined;
  let previousBlank = true;
  let offset = from;
  while (offset <= text.length) {
    const newline = text.indexOf("\n", offset);
    const end = newline === -1 ? text.length : newline;
    const line = text.slice(offset, end);
    const blank = line.trim().length === 0;
    let paragraphCandidate: typeof previous;

    if (fence) {
      const closing = /^ {0,3}(`{3,}|~{3,})[ \t]*$/.exec(line);
      if (closing?.[1] && closing[1][0] === fence.marker && closing[1].length >= fence.length)
        fence = undefined;
    } else {
      const opening = fenceOpen.exec(line);
      const atx = atxHeading.exec(line);
      const underline = setextUnderline.exec(line);
      if (opening?.[1]) {
        fence = { marker: opening[1][0]!, length: opening[1].length };
      } else if (atx?.[1]) {
        headings.push({ level: atx[1].length, text: plainHeading(atx[2] ?? ""), start: offset });
      } else if (underline?.[1] && previous?.isParagraphStart) {
        headings.push({
          level: underline[1][0] === "=" ? 1 : 2,
          text: plainHeading(previous.text),
          start: previous.start,
        });
      } else if (!blank) {
        paragraphCandidate = {
          text: line,
          start: offset,
          isParagraphStart: previousBlank && !notParagraph.test(line),
        };
      }
    }
    previous = paragraphCandidate;
    previousBlank = blank;
    if (newline === -1) break;
    offset = newline + 1;
  }
  return headings.filter((heading) => heading.text.length > 0);
}

function trimmedEnd(text: string, start: number, end: number): number {
  let index = end;
  while (index > start && /\s/.test(text[index - 1]!)) index -= 1;
  return index;
}

function frontMatterTitle(frontMatter: string): string | undefined {
  const match = /^title:[ \t]*(.+?)[ \t]*$/m.exec(frontMatter);
  return match?.[1]?.replace(/^(["'])(.*)\1$/, "$2").trim() || undefined;
}

/**
 * Parses Markdown: the text is the source itself (line endings normalised), sections follow the
 * headings with their heading paths, front matter is left out of the sections (unless it is all
 * there is), and the title is the first level-1 heading (or the front matter `title`).
 */
export function parseMarkdown(input: DocumentInput): ParsedDocument {
  const { text, encoding } = decodeText(input);
  if (text.trim().length === 0) throw new ZhikuError("invalid:empty", `"${input.name}" contains no text.`);
  const frontMatterEnd = frontMatterLength(text);
  // A page that is only front matter (a site's section index) keeps it as its content rather than failing.
  const bodyStart = text.slice(frontMatterEnd).trim().length === 0 ? 0 : frontMatterEnd;
  const onlyFrontMatter = frontMatterEnd > 0 && bodyStart === 0;
  const headings = onlyFrontMatter ? [] : findMarkdownHeadings(text, bodyStart);
  const sections: Section[] = [];
  const stack: MarkdownHeading[] = [];
  const boundaries = [...headings.map((heading) => heading.start), text.length];
  // Text before the first heading forms a section without a heading path.
  let introStart = bodyStart;
  while (introStart < boundaries[0]! && /\s/.test(text[introStart]!)) introStart += 1;
  const introEnd = trimmedEnd(text, introStart, boundaries[0]!);
  if (introEnd > introStart) sections.push({ headings: [], start: introStart, end: introEnd });
  headings.forEach((heading, index) => {
    while (stack.length > 0 && stack[stack.length - 1]!.level >= heading.level) stack.pop();
    stack.push(heading);
    const end = trimmedEnd(text, heading.start, boundaries[index + 1]!);
    sections.push({ headings: stack.map((entry) => entry.text), start: heading.start, end });
  });
  const title =
    headings.find((heading) => heading.level === 1)?.text ?? frontMatterTitle(text.slice(0, frontMatterEnd));
  return { type: "markdown", text, sections, encoding, ...(title ? { title } : {}) };
}
