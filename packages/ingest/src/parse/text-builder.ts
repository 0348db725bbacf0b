import type { Section } from "../types.js";

/**
 * Builds a document's text block by block while tracking heading paths, so parsers of structured
 * formats (HTML, DOCX) produce text and non-overlapping, in-order sections in one pass.
 * Blocks are separated by a blank line; a heading is a block of its own and opens a section
 * that runs to the end of the last block before the next heading.
 */
export class DocumentTextBuilder {
  private readonly parts: string[] = [];
  private length = 0;
  private readonly sections: Section[] = [];
  private readonly headingStack: { level: number; text: string }[] = [];
  private sectionStart: number | undefined;
  private sectionEnd = 0;
  private openHeadings: string[] = [];

  /** Appends a paragraph (or any block of text). Blank blocks are ignored. */
  addBlock(block: string): void {
    const text = block.trim();
    if (!text) return;
    if (this.length > 0) this.append("\n\n");
    if (this.sectionStart === undefined) this.sectionStart = this.length;
    this.append(text);
    this.sectionEnd = this.length;
  }

  /** Starts a new section under a heading of the given level (1 = outermost) and appends the heading text. */
  addHeading(level: number, heading: string): void {
    const text = heading.replace(/\s+/g, " ").trim();
    if (!text) return;
    this.closeSection();
    while (this.headingStack.length > 0 && this.headingStack[this.headingStack.length - 1]!.level >= level) {
      this.headingStack.pop();
    }
    this.headingStack.push({ level, text });
    this.openHeadings = this.headingStack.map((entry) => entry.text);
    this.addBlock(text);
  }

  /** The text and sections built so far. */
  build(): { text: string; sections: Section[] } {
    this.closeSection();
    return { text: this.parts.join(""), sections: this.sections };
  }

  private append(text: string): void {
    this.parts.push(text);
    this.length += text.length;
  }

  private closeSection(): void {
    if (this.sectionStart !== undefined && this.sectionEnd > this.sectionStart) {
      this.sections.push({
        headings: this.openHeadings,
        start: this.sectionStart,
        end: this.sectionEnd,
      });
    }
    this.sectionStart = undefined;
  }
}
