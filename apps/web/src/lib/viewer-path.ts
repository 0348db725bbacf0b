/** What the document viewer opens at. */
export interface ViewerTarget {
  slug: string;
  documentId: string;
  /** The cited chunk, marked in the text (or highlighted on its PDF page). */
  chunkId?: string | null;
  /** The page to open a PDF at; the cited chunk's page when omitted. */
  page?: number | null;
}

/**
 * The in-app address of the document viewer, `/workspaces/:slug/documents/:documentId/view?chunk=<chunkId>&page=<n>`,
 * the one place it is spelled.
 */
export function documentViewerPath(target: ViewerTarget): string {
  const query = new URLSearchParams();
  if (target.chunkId) query.set("chunk", target.chunkId);
  if (target.page) query.set("page", String(target.page));
  const search = query.toString();
  return `/workspaces/${encodeURIComponent(target.slug)}/documents/${encodeURIComponent(target.documentId)}/view${search ? `?${search}` : ""}`;
}
