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
 * Incremental parser for the `text/event-stream` format (WHATWG HTML, "event stream interpretation").
 * Feed it decoded text in pieces of any size: a line, or even a CRLF pair, may be split across pieces.
 * We need our own because `EventSource` cannot POST, and the chat endpoint is a POST.
 */
export class ServerSentEventParser {
  #buffer = "";
  #eventType = "";
  #dataLines: string[] = [];
  #lastEventId: string | undefined;
  /** A chunk ended in "\r": if the next one starts with "\n" that belongs to the same line break. */
  #pendingCarriageReturn = false;

  /** Feeds decoded text; returns the events completed by it, in order. */
  push(text: string): ServerSentEvent[] {
    let input = text;
    if (this.#pendingCarriageReturn && input.startsWith("\n")) input = input.slice(1);
    this.#pendingCarriageReturn = false;
    this.#buffer += input;
    const events: ServerSentEvent[] = [];
    let lineStart = 0;
    for (let index = 0; index < this.#buffer.length; index++) {
      const character = this.#buffer[index];
      if (character !== "\n" && character !== "\r") continue;
      const line = this.#buffer.slice(lineStart, index);
      if (character === "\r") {
        if (index + 1 === this.#buffer.length) this.#pendingCarriageReturn = true;
        else if (this.#buffer[index + 1] === "\n") index++;
      }
      lineStart = index + 1;
      const event = this.#processLine(line);
      if (event) events.push(event);
    }
    this.#buffer = this.#buffer.slice(lineStart);
    return events;
  }

  /** Ends the stream: an event without its closing blank line is discarded, as the standard says. */
  finish(): void {
    this.#buffer = "";
    this.#dataLines = [];
    this.#eventType = "";
  }

  #processLine(line: string): ServerSentEvent | undefined {
    if (line === "") return this.#dispatch();
    if (line.startsWith(":")) return undefined;
    const colon = line.indexOf(":");
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") this.#eventType = value;
    else if (field === "data") this.#dataLines.push(value);
    else if (field === "id" && !value.includes("\0")) this.#lastEventId = value;
    return undefined;
  }

  #dispatch(): ServerSentEvent | undefined {
    const eventType = this.#eventType;
    const dataLines = this.#dataLines;
    this.#eventType = "";
    this.#dataLines = [];
    if (dataLines.length === 0) return undefined;
    const event: ServerSentEvent = { event: eventType || "message", data: dataLines.join("\n") };
    if (this.#lastEventId !== undefined) event.id = this.#lastEventId;
    return event;
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
