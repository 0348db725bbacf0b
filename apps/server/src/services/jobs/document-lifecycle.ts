import type { DocumentRecord, IngestProgress, KnowledgeBase, WorkspaceRecord } from "@zhiku/ingest";
import { ZhikuError } from "@zhiku/ingest";
import type { DocumentEvent, DocumentEventBus } from "./document-events.js";
import type { JobStore } from "./job-store.js";

/** Input of {@link DocumentLifecycle.queueUpload}. */
export interface QueueUploadInput {
  workspace: WorkspaceRecord;
  /** Document name (file name or URL). */
  name: string;
  /** Size of the original in bytes. */
  bytes: number;
  /** Hash returned by `kb.files.put`. */
  fileHash: string;
}

/**
 * The states a document goes through while the server ingests it (queued → processing → ready or failed, back to
 * queued while a retry waits), written only through the knowledge base's API and published on the event bus,
 * so the stored row and the stream always say the same thing.
 */
export class DocumentLifecycle {
  readonly #kb: KnowledgeBase;
  readonly #events: DocumentEventBus;
  readonly #jobs: JobStore;

  constructor(options: { kb: KnowledgeBase; events: DocumentEventBus; jobs: JobStore }) {
    this.#kb = options.kb;
    this.#events = options.events;
    this.#jobs = options.jobs;
  }

  /** The workspace with this id. */
  findWorkspace(workspaceId: string): WorkspaceRecord | undefined {
    return this.#kb.getWorkspaceById(workspaceId);
  }

  /** The document with this id in the workspace with this id. */
  find(workspaceId: string, documentId: string): DocumentRecord | undefined {
    const workspace = this.findWorkspace(workspaceId);
    return workspace ? this.#kb.getDocument(workspace.slug, documentId) : undefined;
  }

  /** Records an upload as a `queued` document (a new row, or the same-name document's next version). */
  queueUpload(input: QueueUploadInput): DocumentRecord {
    return this.#kb.queueDocument({
      workspace: input.workspace.slug,
      name: input.name,
      bytes: input.bytes,
      fileHash: input.fileHash,
    });
  }

  /** Marks a document queued again (a retry by request, or a backoff after a failed attempt, saying why). */
  markQueued(documentId: string, reason: string | null): DocumentRecord {
    return this.#kb.setDocumentStatus(documentId, "queued", reason);
  }

  /** Marks a document `processing` as an attempt starts; the reason of an earlier attempt's failure is cleared. */
  markProcessing(document: DocumentRecord): DocumentRecord {
    if (document.status === "processing" && document.error === null) return document;
    return this.#kb.setDocumentStatus(document.id, "processing", null);
  }

  /**
   * After a final failure or a cancel, leaves the document in a resting state: whatever the ingest left
   * (`ready` keeping the old version, or `failed`), otherwise `ready` when an earlier version is stored and
   * `failed` when none is. Always records `reason`; publishes the result.
   */
  settle(workspaceId: string, documentId: string, reason: string): DocumentRecord {
    const document = this.find(workspaceId, documentId);
    if (!document) throw new ZhikuError("not_found:document", `No document ${documentId}`);
    let settled = document;
    if (document.status === "queued" || document.status === "processing") {
      settled = this.#kb.setDocumentStatus(documentId, document.contentHash ? "ready" : "failed", reason);
    } else if (document.error !== reason && document.status === "failed") {
      settled = this.#kb.setDocumentStatus(documentId, "failed", reason);
    }
    this.publish(settled, null);
    return settled;
  }

  /** Publishes a document's state (with its running job's progress) to its workspace's subscribers. */
  publish(document: DocumentRecord, progress: IngestProgress | null): void {
    this.#events.publish(document.workspaceId, this.eventFor(document, progress));
  }

  /** The `document` SSE payload of a document, with the code of its recorded failure. */
  eventFor(document: DocumentRecord, progress: IngestProgress | null): DocumentEvent {
    const event = toEvent(document, progress);
    if (event.error === undefined) return event;
    const code = errorCodeFromJobError(this.#jobs.latestForDocument(document.id)?.error ?? null);
    return code ? { ...event, errorCode: code } : event;
  }

  /**
   * The code of a document's recorded failure (`invalid:encrypted`, `unavailable:ollama`, ...), read from its
   * newest job; null when it has no error or the error has no code (a cancel, a failure from the CLI).
   */
  errorCodeOf(document: DocumentRecord): string | null {
    if (!document.error) return null;
    return errorCodeFromJobError(this.#jobs.latestForDocument(document.id)?.error ?? null);
  }
}

/** The code a job's error starts with (jobs record failures as `<code>: <message>`), or null. */
export function errorCodeFromJobError(error: string | null): string | null {
  return error?.match(/^([a-z_]+:[a-z_]+): /)?.[1] ?? null;
}

/** Builds the `document` SSE payload from a document and its running job's progress. */
export function toEvent(document: DocumentRecord, progress: IngestProgress | null): DocumentEvent {
  const event: DocumentEvent = { id: document.id, name: document.name, status: document.status };
  if (progress && document.status === "processing") {
    event.stage = progress.stage;
    if (progress.stage === "ocr") {
      event.page = progress.page;
      event.pages = progress.pages;
    }
    if (progress.stage === "embedding") {
      event.done = progress.done;
      event.total = progress.total;
    }
  }
  if (document.error) event.error = document.error;
  if (document.status === "ready") event.chunks = document.chunks;
  return event;
}
