import { describe, expect, it } from "vitest";
import { buildZip, fixture } from "./test-support.js";
import { listZipEntries } from "./zip-entries.js";

describe("listZipEntries", () => {
  it("lists the entries of a real Word document and of a written archive", () => {
    const names = listZipEntries(fixture("headings.docx").bytes)!.map((entry) => entry.name);
    expect(names).toContain("word/document.xml");
    const archive = buildZip([{ name: "a.txt", data: new TextEncoder().encode("hello") }]);
    const [entry] = listZipEntries(archive)!;
    expect(entry).toMatchObject({ name: "a.txt", uncompressedSize: 5 });
  });

  it("returns undefined for bytes that are not a ZIP", () => {
    expect(listZipEntries(new TextEncoder().encode("plain text, no archive here"))).toBeUndefined();
  });
});
