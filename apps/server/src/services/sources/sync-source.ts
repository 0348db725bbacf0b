import { createHash } from "node:crypto";
import type { KnowledgeBase, WorkspaceRecord } from "@zhiku/ingest";
import type { JobQueue } from "../jobs/job-queue.js";
import type { SourceStore } from "./source-store.js";
import type { ItemLister, ListedItem, SourceRecord, SyncCounts } from "./source-types.js";

/** Items queued for ingestion in one transaction at most. */
const batchSize = 100;

/** Options of {@link syncSource}. */
export interface SyncSourceOptions {
  /** The source to sync. */
  source: SourceRecord;
  /** Its workspace. */
  workspace: WorkspaceRecord;
  /** Lists the source's items. */
  list: ItemLister;
  /** Where the documents are (their names, the original files by hash). */
  kb: KnowledgeBase;
  /** Queues new and changed items for ingestion, and forgets the jobs of deleted documents. */
  jobs: JobQueue;
  /** Which document each item became, with its content hash. */
  store: SourceStore;
  /** Stops the sync (the server closing, the source deleted). */
  signal: AbortSignal;
  /**
   * True when a failed item may hide others (a crawl does not see the links of a page it could not fetch): a sync
   * with failed items then deletes only the documents of items listed as gone, not those merely unseen.
   */
  failuresHideItems?: boolean;
}

/** What a sync did: its counts and the last error of an item, if one failed. */
export interface SyncOutcome extends SyncCounts {
  error: string | null;
}

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/**
 * Brings a workspace's documents from one source in line with the source's items: an item seen for the first time,
 * or whose content hash differs from the one ingested last (or whose document failed, is gone or carries another
 * name since the source was renamed), is stored and queued through the job queue (`enqueueUploads`, a batch per
 * transaction); an item with the same content is skipped; the document of an item that is gone is deleted. An item
 * that cannot be read is counted as failed and its document kept; the sync goes on. When the listing itself fails
 * (the site, repository or folder cannot be read), the error is thrown and nothing is deleted.
 */
export async function syncSource(options: SyncSourceOptions): Promise<SyncOutcome> {
  const { source, workspace, kb, jobs, store, signal } = options;
  const counts: SyncOutcome = { added: 0, updated: 0, deleted: 0, unchanged: 0, failed: 0, error: null };
  const known = store.documentsOf(source.id);
  const mine = new Set([...known.values()].map((entry) => entry.documentId));
  // Names taken by documents this source does not hold (uploads, other sources): never overwritten.
  const takenNames = new Set(
    kb
      .listDocuments(workspace.slug)
      .filter((document) => !mine.has(document.id))
      .map((document) => document.name),
  );
  const seen = new Set<string>();
  const gone = new Set<string>();
  /** Documents replaced by one under a new name (the source was renamed): deleted once the new one is queued. */
  const replaced: string[] = [];
  let pending: { key: string; name: string; bytes: number; fileHash: string; contentHash: string }[] = [];

  const flush = () => {
    const queued = jobs.enqueueUploads(
      pending.map((item) => ({ workspace, name: item.name, bytes: item.bytes, fileHash: item.fileHash })),
    );
    store.transaction(() => {
      pending.forEach((item, index) => {
        store.putDocument(source.id, {
          key: item.key,
          contentHash: item.contentHash,
          documentId: queued[index]!.id,
        });
      });
    });
    pending = [];
  };

  const take = async (item: ListedItem) => {
    if (seen.has(item.key) || gone.has(item.key)) return;
    if ("gone" in item) {
      gone.add(item.key);
      return;
    }
    seen.add(item.key);
    if ("error" in item) {
      counts.failed += 1;
      counts.error = `${item.key}: ${item.error}`;
      return;
    }
    if (takenNames.has(item.name)) {
      counts.failed += 1;
      counts.error = `${item.key}: the workspace has another document named ${item.name}`;
      return;
    }
    const contentHash = sha256(item.bytes);
    const prior = known.get(item.key);
    const document = prior ? kb.getDocument(workspace.slug, prior.documentId) : undefined;
    const sameName = document?.name === item.name;
    if (prior && document && sameName && prior.contentHash === contentHash && document.status !== "failed") {
      counts.unchanged += 1;
      return;
    }
    if (document) counts.updated += 1;
    else counts.added += 1;
    if (document && !sameName) replaced.push(document.id);
    const fileHash = await kb.files.put(item.bytes);
    pending.push({ key: item.key, name: item.name, bytes: item.bytes.byteLength, fileHash, contentHash });
    if (pending.length >= batchSize) flush();
  };

  try {
    for await (const item of options.list(signal)) await take(item);
  } finally {
    // What was stored before a failure of the listing is queued all the same; a stopped sync leaves it.
    if (pending.length > 0 && !signal.aborted) flush();
  }

  signal.throwIfAborted();
  const remove = async (documentId: string) => {
    jobs.forgetDocument(documentId);
    if (!kb.getDocument(workspace.slug, documentId)) return false;
    await kb.deleteDocument(workspace.slug, documentId);
    return true;
  };
  for (const documentId of replaced) await remove(documentId);
  // A listing that cannot see past a failure (a crawl whose page failed) deletes only what is known to be gone.
  const deleteUnseen = counts.failed === 0 || options.failuresHideItems !== true;
  for (const [key, entry] of known) {
    if (seen.has(key) || (!gone.has(key) && !deleteUnseen)) continue;
    if (await remove(entry.documentId)) counts.deleted += 1;
    store.removeDocument(source.id, key);
  }
  return counts;
}
