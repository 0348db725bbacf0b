import type { DocumentStatus } from "@zhiku/ingest";

/** Progress of one document, as sent in the `document` SSE event. */
export interface DocumentEvent {
  id: string;
  name: string;
  status: DocumentStatus;
  /** Pipeline stage while processing. */
  stage?: "parsing" | "ocr" | "chunking" | "embedding" | "storing";
  /** The page being read by OCR, during the `ocr` stage (1-based; 1 for an image). */
  page?: number;
  /** Pages of the document, during the `ocr` stage. */
  pages?: number;
  /** Chunks embedded so far, during the embedding stage. */
  done?: number;
  /** Chunks to embed, during the embedding stage. */
  total?: number;
  /** Why the document failed, or why an attempt is being retried. */
  error?: string;
  /**
   * The code of that failure, such as `invalid:encrypted` or `unavailable:ollama`, when ingestion recorded one, so a
   * client can say it in its own language.
   */
  errorCode?: string;
  /** Chunks stored, once ready. */
  chunks?: number;
}

/** Receives the events of one workspace. */
export interface DocumentEventListener {
  /** Called for each event of the workspace. */
  onEvent(event: DocumentEvent): void;
  /** Called once when the bus closes (server shutdown), so streams can end. */
  onClose?(): void;
}

/** An in-process publish/subscribe channel of document progress, one topic per workspace id. */
export class DocumentEventBus {
  readonly #listeners = new Map<string, Set<DocumentEventListener>>();
  #closed = false;

  /** True once {@link close} ran. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Subscribes to a workspace's events; returns the function that unsubscribes. */
  subscribe(workspaceId: string, listener: DocumentEventListener): () => void {
    if (this.#closed) {
      listener.onClose?.();
      return () => {};
    }
    let listeners = this.#listeners.get(workspaceId);
    if (!listeners) {
      listeners = new Set();
      this.#listeners.set(workspaceId, listeners);
    }
    listeners.add(listener);
    return () => {
      const current = this.#listeners.get(workspaceId);
      current?.delete(listener);
      if (current?.size === 0) this.#listeners.delete(workspaceId);
    };
  }

  /** Sends an event to every subscriber of the workspace. A throwing listener does not stop the others. */
  publish(workspaceId: string, event: DocumentEvent): void {
    for (const listener of [...(this.#listeners.get(workspaceId) ?? [])]) {
      try {
        listener.onEvent(event);
      } catch {
        // A broken subscriber (e.g. a closed stream) must not break ingestion.
      }
    }
  }

  /** Number of subscribers of a workspace. */
  subscriberCount(workspaceId: string): number {
    return this.#listeners.get(workspaceId)?.size ?? 0;
  }

  /** Ends every subscription (their `onClose` runs); later subscribers are closed at once. */
  close(): void {
    this.#closed = true;
    const all = [...this.#listeners.values()].flatMap((listeners) => [...listeners]);
    this.#listeners.clear();
    for (const listener of all) {
      try {
        listener.onClose?.();
      } catch {
        // Ignore: shutting down.
      }
    }
  }
}
