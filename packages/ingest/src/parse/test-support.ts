import { readFileSync } from "node:fs";
import { expect } from "vitest";
import type { ParsedDocument } from "../types.js";

/** Reads a committed fixture from packages/ingest/fixtures as a test input. */
export function fixture(name: string): { bytes: Uint8Array; name: string } {
  return { bytes: new Uint8Array(readFileSync(new URL(`../../fixtures/${name}`, import.meta.url))), name };
}

/** Asserts the ParsedDocument contract: non-empty text, sections inside it, in order, not overlapping. */
export function expectValidSections(document: ParsedDocument): void {
  expect(document.text.trim().length).toBeGreaterThan(0);
  let previousEnd = 0;
  for (const section of document.sections) {
    expect(section.start).toBeGreaterThanOrEqual(previousEnd);
    expect(section.end).toBeGreaterThan(section.start);
    expect(section.end).toBeLessThanOrEqual(document.text.length);
    previousEnd = section.end;
  }
}

/** The text of each section, for readable assertions. */
export function sectionTexts(
  document: ParsedDocument,
): { headings: string[]; page?: number; text: string }[] {
  return document.sections.map((section) => ({
    headings: section.headings,
    ...(section.page !== undefined ? { page: section.page } : {}),
    text: document.text.slice(section.start, section.end),
  }));
}
