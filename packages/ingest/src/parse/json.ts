import { ZhikuError } from "../errors.js";
import type { ParsedDocument, Section } from "../types.js";
import { decodeText } from "./decode-text.js";
import type { DocumentInput } from "./detect-type.js";

/** Array elements per section when the top level is an array. */
const elementsPerSection = 25;

function pathSegment(parent: string, key: string | number): string {
  if (typeof key === "number") return `${parent}[${key}]`;
  if (/^[\p{L}\p{N}_$-]+$/u.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function scalar(value: unknown): string {
  if (typeof value === "string") return value.replace(/\r?\n/g, " ");
  return JSON.stringify(value);
}

/** Appends one `path: value` line per leaf of a JSON value. */
function flatten(value: unknown, path: string, lines: string[]): void {
  if (Array.isArray(value)) {
    if (value.length === 0) lines.push(path ? `${path}: []` : "[]");
    value.forEach((element, index) => {
      flatten(element, pathSegment(path, index), lines);
    });
  } else if (value !== null && typeof value === "object") {
    const entries = Object.entries(value);
    if (entries.length === 0) lines.push(path ? `${path}: {}` : "{}");
    for (const [key, child] of entries) flatten(child, pathSegment(path, key), lines);
  } else {
    lines.push(path ? `${path}: ${scalar(value)}` : scalar(value));
  }
}

/** Line and column (1-based) of a UTF-16 offset. */
function lineAndColumn(text: string, position: number): { line: number; column: number } {
  const before = text.slice(0, position);
  const lineStart = before.lastIndexOf("\n") + 1;
  return { line: before.split("\n").length, column: position - lineStart + 1 };
}

/**
 * Parses JSON into flattened `path: value` lines (`endpoints[0].path: /api/search`) rather than
 * pretty-printed JSON: every line then names where its value sits, so a chunk cut from the middle
 * of a large file still says what its values are, and braces and quotes do not take up tokens.
 * One section per top-level key (heading path `[key]`); a top-level array gets a section per
 * {@link elementsPerSection} elements. Invalid JSON fails with `invalid:corrupt`, naming the line and column.
 */
export function parseJson(input: DocumentInput): ParsedDocument {
  const { text: source, encoding } = decodeText(input);
  if (source.trim().length === 0) throw new ZhikuError("invalid:empty", `"${input.name}" contains no JSON.`);
  let value: unknown;
  try {
    value = JSON.parse(source);
  } catch (error) {
    const message = (error as Error).message;
    const position = /position (\d+)/.exec(message)?.[1];
    const where = position ? lineAndColumn(source, Number(position)) : undefined;
    throw new ZhikuError(
      "invalid:corrupt",
      `"${input.name}" is not valid JSON${where ? ` at line ${where.line}, column ${where.column}` : ""}: ${message}`,
      { cause: error },
    );
  }

  const groups: { headings: string[]; lines: string[] }[] = [];
  if (Array.isArray(value) && value.length > 0) {
    for (let first = 0; first < value.length; first += elementsPerSection) {
      const lines: string[] = [];
      value.slice(first, first + elementsPerSection).forEach((element, offset) => {
        flatten(element, `[${first + offset}]`, lines);
      });
      groups.push({ headings: [], lines });
    }
  } else if (value !== null && typeof value === "object" && Object.keys(value).length > 0) {
    for (const [key, child] of Object.entries(value)) {
      const lines: string[] = [];
      flatten(child, pathSegment("", key), lines);
      groups.push({ headings: [key], lines });
    }
  } else {
    const lines: string[] = [];
    flatten(value, "", lines);
    groups.push({ headings: [], lines });
  }

  let text = "";
  const sections: Section[] = [];
  for (const group of groups) {
    if (text) text += "\n";
    const start = text.length;
    text += group.lines.join("\n");
    sections.push({ headings: group.headings, start, end: text.length });
  }
  return { type: "json", text, sections, encoding };
}
