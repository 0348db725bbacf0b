import { useEffect, useRef } from "react";
import type { DocumentProgress } from "../lib/api-types";

/** Options of {@link useDocumentEvents}. */
export interface DocumentEventsOptions {
  /** Address of the workspace's event stream. */
  url: string;
  /** Called for each `document` event. */
  onProgress: (progress: DocumentProgress) => void;
  /** Called when the stream (re)opens, so the caller can reload the list it may have missed events for. */
  onOpen?: () => void;
  /** Creates the EventSource; tests pass a fake. Defaults to the browser's. */
  createEventSource?: (url: string) => EventSource;
}

/**
 * Subscribes to the workspace's document progress (`GET /api/workspaces/:slug/events`, event `document`).
 * EventSource reconnects on its own after a dropped connection.
 */
export function useDocumentEvents(options: DocumentEventsOptions): void {
  const handlers = useRef(options);
  handlers.current = options;

  useEffect(() => {
    const create = handlers.current.createEventSource ?? ((url: string) => new EventSource(url));
    const source = create(options.url);
    const onDocument = (event: MessageEvent<string>) => {
      try {
        handlers.current.onProgress(JSON.parse(event.data) as DocumentProgress);
      } catch {
        // A malformed event is skipped; the next one carries the full state again.
      }
    };
    const onOpen = () => handlers.current.onOpen?.();
    source.addEventListener("document", onDocument as EventListener);
    source.addEventListener("open", onOpen);
    return () => {
      source.removeEventListener("document", onDocument as EventListener);
      source.removeEventListener("open", onOpen);
      source.close();
    };
  }, [options.url]);
}
