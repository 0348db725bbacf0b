import Papa from "papaparse";
import { ZhikuError } from "../errors.js";
import type { ParsedDocument, Section } from "../types.js";
import { decodeText } from "./decode-text.js";
import { type DocumentInput, extensionOf } from "./detect-type.js";

/** Rows per section, so a chunk rarely splits a small group of rows from its neighbours. */
const rowsPerSection = 25;

function cell(value: unknown): string {
  return String(value ?? "")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * Parses CSV or TSV (delimiter detected for .csv, tab for .tsv): the first row names the columns
 * and every following row becomes one self-describing line `column: value; column: value`
 * (empty cells left out), so a retrieved row carries its column names. One section per
 * {@link rowsPerSection} rows.
 */
export function parseCsv(input: DocumentInput): ParsedDocument {
  const { text: source, encoding } = decodeText(input);
  const delimiter = extensionOf(input.name) === "tsv" ? "\t" : "";
  const result = Papa.parse<string[]>(source, { delimiter, skipEmptyLines: "greedy" });
  const rows = result.data.filter((row) => Array.isArray(row) && row.some((value) => cell(value).length > 0));
  const header = rows[0];
  if (!header) throw new ZhikuError("invalid:empty", `"${input.name}" has no rows.`);
  const columns = header.map((value, index) => cell(value) || `column ${index + 1}`);

  const lines: string[] = [];
  for (const row of rows.slice(1)) {
    const pairs: string[] = [];
    row.forEach((value, index) => {
      const text = cell(value);
      if (text) pairs.push(`${columns[index] ?? `column ${index + 1}`}: ${text}`);
    });
    if (pairs.length > 0) lines.push(pairs.join("; "));
  }
  if (lines.length === 0) lines.push(`columns: ${columns.join(", ")}`);

  let text = "";
  const sections: Section[] = [];
  for (let first = 0; first < lines.length; first += rowsPerSection) {
    if (text) text += "\n";
    const start = text.length;
    text += lines.slice(first, first + rowsPerSection).join("\n");
    sections.push({ headings: [], start, end: text.length });
  }
  return { type: "csv", text, sections, encoding };
}
