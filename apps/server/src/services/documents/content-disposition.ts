/** MIME types by document type and by file extension, for downloads. */
const mimeByType: Record<string, string> = {
  pdf: "application/pdf",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  html: "text/html; charset=utf-8",
  markdown: "text/markdown; charset=utf-8",
  text: "text/plain; charset=utf-8",
  csv: "text/csv; charset=utf-8",
  json: "application/json",
};

const typeByExtension: Record<string, string> = {
  pdf: "pdf",
  docx: "docx",
  html: "html",
  htm: "html",
  md: "markdown",
  markdown: "markdown",
  txt: "text",
  csv: "csv",
  json: "json",
};

/** True when a document name is a web address (documents fetched with `POST .../documents/url`). */
export function isUrlName(name: string): boolean {
  return /^https?:\/\//i.test(name);
}

/** Images (read by OCR) share the document type `image`: their MIME type comes from the extension. */
const imageMimeByExtension: Record<string, string> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
};

/** The MIME type to serve an original with, from its detected type or else its name's extension. */
export function contentTypeFor(options: { type: string | null; name: string }): string {
  if (options.type && mimeByType[options.type]) return mimeByType[options.type]!;
  if (isUrlName(options.name)) return mimeByType.html!;
  const extension = /\.([a-z0-9]+)$/i.exec(options.name)?.[1]?.toLowerCase();
  if (extension && imageMimeByExtension[extension]) return imageMimeByExtension[extension]!;
  const type = extension ? typeByExtension[extension] : undefined;
  return (type && mimeByType[type]) || "application/octet-stream";
}

/**
 * The download file name of a document: the last path segment of its name (documents from folders are
 * named by relative path), or for a URL the page's last segment with `.html`. Never used as a path.
 */
export function downloadNameFor(options: { type: string | null; name: string }): string {
  if (isUrlName(options.name)) {
    let segment = "";
    try {
      segment = new URL(options.name).pathname.split("/").filter(Boolean).pop() ?? "";
    } catch {
      segment = "";
    }
    const base = (segment || "page").replace(/\.(html?|php|aspx?)$/i, "");
    return options.type && options.type !== "html" ? base : `${base}.html`;
  }
  const segment = options.name.split(/[\\/]/).filter(Boolean).pop() ?? "";
  return segment || "document";
}

/**
 * A `Content-Disposition: attachment` value: an ASCII `filename` fallback and the exact name as
 * RFC 8187 `filename*`, so Chinese and other names survive, and quotes or newlines cannot break the header.
 */
export function contentDisposition(fileName: string): string {
  const ascii = fileName.replace(/[^\x20-\x7e]/g, "_").replace(/["\\]/g, "_");
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}

/**
 * Normalises an uploaded file name into a document name: forward slashes, no leading slashes, no `.` or
 * `..` segments, no control characters. Folder uploads keep their relative path.
 */
export function normaliseUploadName(name: string): string {
  const segments = name
    .replace(/\\/g, "/")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, "")
    .split("/")
    .map((segment) => segment.trim())
    .filter((segment) => segment !== "" && segment !== "." && segment !== "..");
  return segments.join("/").slice(0, 1_000) || "upload";
}
