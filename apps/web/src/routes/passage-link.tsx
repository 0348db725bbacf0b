import { Navigate, useParams, useSearchParams } from "react-router";
import { documentViewerPath } from "../lib/viewer-path";
import { DocumentsPage } from "./documents-page";

/**
 * `/workspaces/:slug/documents`, which is also the address of a passage in the links bots and MCP tools give
 * (`?document=<id>&chunk=<chunkId>`): such a link opens the document viewer at the passage; without `document` it
 * is the documents page.
 */
export function DocumentsOrPassage() {
  const { slug = "" } = useParams();
  const [search] = useSearchParams();
  const documentId = search.get("document");
  if (!documentId) return <DocumentsPage />;
  return <Navigate replace to={documentViewerPath({ slug, documentId, chunkId: search.get("chunk") })} />;
}
