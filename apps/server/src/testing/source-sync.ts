import type { SourceRecord } from "../services/sources/source-types.js";
import type { TestServer } from "./test-server.js";

/** Syncs a source now, waits until its sync and the ingestion it queued are done, and returns the source's row. */
export async function syncNow(server: TestServer, source: SourceRecord): Promise<SourceRecord> {
  server.deps.sources.startSync(source);
  await server.deps.sources.whenSynced(source.id);
  await server.deps.jobs.whenIdle();
  return server.deps.sources.store.get(source.id)!;
}

/** The names of the documents a full-text search of a workspace finds, best first. */
export async function documentsFound(
  server: TestServer,
  workspace: string,
  query: string,
): Promise<string[]> {
  const { results } = await server.deps.kb.search({ workspace, query, mode: "fulltext" });
  return results.map((result) => result.documentName);
}
