import { createParser, type EventSourceParser } from "eventsource-parser";

/** One server-sent event as dispatched by the parser. */
export interface ServerSentEvent {
  /** The `event:` field; "message" when the server sent none. */
  event: string;
  /** The `data:` lines joined with newlines. */
  data: string;
  /** The last `id:` field seen, if any. */
  id?: string;
}

/**
 * Incremental parser for the `text/event-stream` format, on `eventsource-parser` (which follows the WHATWG
 * "event stream interpretation"). Feed it decoded text in pieces of any size: a line, or even a CRLF pair, may
 * be split across pieces. We parse ourselves because `EventSource` cannot POST, and the chat endpoint is a POST.
 */
export class ServerSentEventParser {
  #completed: ServerSentEvent[] = [];
  /** Like the browser's `lastEventId`, an id stays in force for the events after it until another is sent. */
  #lastEventId: string | undefined;
  #parser: EventSourceParser = createParser({
    onEvent: (message) => {
      if (message.id !== undefined) this.#lastEventId = message.id;
      const event: ServerSentEvent = { event: message.event || "message", data: message.data };
      if (this.#lastEventId !== undefined) event.id = this.#lastEventId;
      this.#completed.push(event);
    },
  });

  /** A piece ended in "\r", fed on as "\r\n": a "\n" starting the next piece belongs to that same line break. */
  #pendingCarriageReturn = false;

  /** Feeds decoded text; returns the events completed by it, in order. */
  push(text: string): ServerSentEvent[] {
    let input = text;
    if (this.#pendingCarriageReturn && input.startsWith("\n")) input = input.slice(1);
    // The library holds a trailing CR back until it sees whether LF follows; a CR ends the line either way, so the
    // events it completes are delivered now rather than with the next piece (or never, at the end of the stream).
    this.#pendingCarriageReturn = input.endsWith("\r");
    this.#parser.feed(this.#pendingCarriageReturn ? `${input}\n` : input);
    const events = this.#completed;
    this.#completed = [];
    return events;
  }

  /** Ends the stream: an event without its closing blank line is discarded, as the standard says. */
  finish(): void {
    this.#parser.reset();
    this.#completed = [];
    this.#pendingCarriageReturn = false;
  }
}

/**
 * Reads a byte stream (a fetch response body) as server-sent events.
 * Cancels the underlying stream when the consumer stops iterating early.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const parser = new ServerSentEventParser();
  let finished = false;
  try {
    while (true) {
      const { value, done } = await reader.read();
      if (done) break;
      yield* parser.push(decoder.decode(value, { stream: true }));
    }
    yield* parser.push(decoder.decode());
    parser.finish();
    finished = true;
  } finally {
    if (!finished) await reader.cancel().catch(() => undefined);
    reader.releaseLock();
  }
}
