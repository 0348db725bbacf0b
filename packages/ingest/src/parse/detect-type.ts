import { ZhikuError } from "../errors.js";
import { imageFormatOf } from "../ocr/image-size.js";
import type { DocumentType } from "../types.js";
import { listZipEntries } from "./zip-entries.js";

/** A file to parse: its bytes and its name (a path is fine; only the extension is read from it). */
export interface DocumentInput {
  /** The file's contents. */
  bytes: Uint8Array;
  /** The file's name, used for the extension and in error messages. */
  name: string;
}

const typeByExtension: Record<string, DocumentType> = {
  pdf: "pdf",
  docx: "docx",
  html: "html",
  htm: "html",
  xhtml: "html",
  md: "markdown",
  markdown: "markdown",
  mdx: "markdown",
  csv: "csv",
  tsv: "csv",
  json: "json",
  png: "image",
  jpg: "image",
  jpeg: "image",
  webp: "image",
};

/** Extensions read as plain text: prose, logs, configuration and source code. */
const textExtensions = new Set(
  (
    "txt text log rst adoc asciidoc org tex ini cfg conf toml yaml yml xml properties env sql " +
    "py js mjs cjs ts tsx jsx java kt go rs c h cc cpp hpp cs rb php swift scala sh bash zsh ps1 " +
    "bat lua r m pl css scss less vue svelte graphql proto gradle dockerfile makefile jsonl ndjson srt vtt"
  ).split(" "),
);

/** Content signatures of binary formats we recognise only to refuse them with a clear name. */
const binarySignatures: { kind: string; bytes: number[]; offset?: number }[] = [
  { kind: "a GIF image", bytes: [0x47, 0x49, 0x46, 0x38] },
  { kind: "a TIFF image", bytes: [0x49, 0x49, 0x2a, 0x00] },
  { kind: "a TIFF image", bytes: [0x4d, 0x4d, 0x00, 0x2a] },
  { kind: "a RIFF file (WAV, AVI)", bytes: [0x52, 0x49, 0x46, 0x46] },
  { kind: "a Windows executable", bytes: [0x4d, 0x5a] },
  { kind: "an ELF executable", bytes: [0x7f, 0x45, 0x4c, 0x46] },
  { kind: "a Mach-O executable", bytes: [0xcf, 0xfa, 0xed, 0xfe] },
  { kind: "a Java class file", bytes: [0xca, 0xfe, 0xba, 0xbe] },
  { kind: "a WebAssembly module", bytes: [0x00, 0x61, 0x73, 0x6d] },
  { kind: "a gzip archive", bytes: [0x1f, 0x8b] },
  { kind: "a RAR archive", bytes: [0x52, 0x61, 0x72, 0x21] },
  { kind: "a 7-Zip archive", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { kind: "a bzip2 archive", bytes: [0x42, 0x5a, 0x68] },
  { kind: "an xz archive", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a] },
  { kind: "an SQLite database", bytes: [0x53, 0x51, 0x4c, 0x69, 0x74, 0x65, 0x20, 0x66] },
  { kind: "an MP3 file", bytes: [0x49, 0x44, 0x33] },
  { kind: "an MP4/QuickTime file", bytes: [0x66, 0x74, 0x79, 0x70], offset: 4 },
  {
    kind: "a legacy Office (.doc/.xls/.ppt) or password-protected Office file",
    bytes: [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1],
  },
];

/** Lower-case extension of a file name without the dot (`"Guide.PDF"` → `"pdf"`); `""` when there is none. */
export function extensionOf(name: string): string {
  const base = name.slice(Math.max(name.lastIndexOf("/"), name.lastIndexOf("\\")) + 1);
  const dot = base.lastIndexOf(".");
  if (dot <= 0) return base.toLowerCase() === "dockerfile" || base.toLowerCase() === "makefile" ? "txt" : "";
  return base.slice(dot + 1).toLowerCase();
}

function startsWith(bytes: Uint8Array, signature: number[], offset = 0): boolean {
  if (bytes.length < offset + signature.length) return false;
  return signature.every((value, index) => bytes[offset + index] === value);
}

/** True when the bytes carry a PDF header (`%PDF-`) within the first kilobyte, as PDF readers accept. */
export function hasPdfHeader(bytes: Uint8Array): boolean {
  const limit = Math.min(bytes.length - 5, 1024);
  for (let index = 0; index <= limit; index += 1) {
    if (
      bytes[index] === 0x25 &&
      bytes[index + 1] === 0x50 &&
      bytes[index + 2] === 0x44 &&
      bytes[index + 3] === 0x46 &&
      bytes[index + 4] === 0x2d
    ) {
      return true;
    }
  }
  return false;
}

/** What the first bytes say a ZIP archive holds: a Word document, another Office file or something else. */
function zipKind(bytes: Uint8Array): "docx" | string {
  const names = new Set((listZipEntries(bytes) ?? []).map((entry) => entry.name));
  if (names.has("word/document.xml")) return "docx";
  if (names.has("xl/workbook.xml")) return "an Excel workbook (.xlsx)";
  if (names.has("ppt/presentation.xml")) return "a PowerPoint presentation (.pptx)";
  if (names.has("mimetype") && names.has("META-INF/container.xml"))
    return "an EPUB book or OpenDocument file";
  return "a ZIP archive";
}

const supportedList = "PDF, DOCX, HTML, Markdown, plain text, CSV/TSV, JSON or a PNG, JPEG or WebP image";

/**
 * Decides the format of a file from its content (magic bytes) and its extension.
 *
 * Recognised document signatures win over the extension, so a PDF, DOCX or image (PNG, JPEG, WebP: read by OCR)
 * saved under another name is still read. A file whose extension promises a PDF, DOCX or image but whose bytes are
 * not one is `invalid:corrupt`; a recognised non-document format (image, executable, archive), or an unknown
 * extension over bytes that are not UTF-8 text, is `unsupported:type` (unknown extensions over UTF-8 text,
 * such as LICENSE or Makefile, are read as plain text); an empty file is `invalid:empty`. Text formats are returned
 * here and checked for binary content when decoded.
 */
export function detectDocumentType(input: DocumentInput): DocumentType {
  const { bytes, name } = input;
  const extension = extensionOf(name);
  if (bytes.length === 0) throw new ZhikuError("invalid:empty", `"${name}" is empty (0 bytes).`);

  if (hasPdfHeader(bytes)) return "pdf";
  const imageFormat = imageFormatOf(bytes);
  // PGM is what Zhiku renders PDF pages to for OCR, not an upload format.
  if (imageFormat && imageFormat !== "pgm") return "image";
  const isZip = startsWith(bytes, [0x50, 0x4b, 0x03, 0x04]) || startsWith(bytes, [0x50, 0x4b, 0x05, 0x06]);
  if (isZip) {
    const kind = zipKind(bytes);
    if (kind === "docx") return "docx";
    if (extension === "docx") {
      throw new ZhikuError(
        "invalid:corrupt",
        `"${name}" is not a readable Word document: ${kind} without word/document.xml.`,
      );
    }
    throw new ZhikuError(
      "unsupported:type",
      `"${name}" is ${kind}, which is not supported; use ${supportedList}.`,
    );
  }
  const hasUtf16Bom = startsWith(bytes, [0xff, 0xfe]) || startsWith(bytes, [0xfe, 0xff]);
  const binary = hasUtf16Bom
    ? undefined
    : binarySignatures.find((signature) => startsWith(bytes, signature.bytes, signature.offset));

  // Pages the server fetches by URL are named by their address (often without an extension): read them as
  // HTML unless the bytes or a known extension say otherwise.
  if (/^https?:\/\//i.test(name) && !binary && typeByExtension[extension] === undefined) return "html";
  if (extension === "pdf") {
    throw new ZhikuError(
      "invalid:corrupt",
      `"${name}" has a .pdf extension but is not a PDF (no %PDF header).`,
    );
  }
  if (extension === "docx") {
    throw new ZhikuError(
      "invalid:corrupt",
      `"${name}" has a .docx extension but is not a Word document (not a ZIP archive).`,
    );
  }
  if (typeByExtension[extension] === "image") {
    throw new ZhikuError(
      "invalid:corrupt",
      `"${name}" has a .${extension} extension but is not a PNG, JPEG or WebP image.`,
    );
  }
  const textType = typeByExtension[extension] ?? (textExtensions.has(extension) ? "text" : undefined);
  if (binary && (textType === undefined || !looksLikeText(bytes))) {
    throw new ZhikuError(
      "unsupported:type",
      `"${name}" is ${binary.kind}, which is not supported; use ${supportedList}.`,
    );
  }
  if (textType) return textType;
  // LICENSE, README, Makefile, *.LICENSE…: an unknown or missing extension over clean UTF-8 text is read as text.
  if (!binary && looksLikeText(bytes) && isUtf8Sample(bytes)) return "text";
  const what = extension ? `.${extension} files are` : "files without an extension are";
  throw new ZhikuError("unsupported:type", `"${name}": ${what} not supported; use ${supportedList}.`);
}

/** Whether the first 64 KB decode as UTF-8 (a sequence cut at the sample's end is allowed). */
function isUtf8Sample(bytes: Uint8Array): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(0, 65_536), { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** A cheap check that the first bytes hold no NUL, so a text file that happens to start like "MZ" or "BZh" is kept. */
function looksLikeText(bytes: Uint8Array): boolean {
  const end = Math.min(bytes.length, 4096);
  for (let index = 0; index < end; index += 1) if (bytes[index] === 0) return false;
  return true;
}
