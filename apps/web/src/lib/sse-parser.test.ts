import { describe, expect, it } from "vitest";
import { readServerSentEvents, type ServerSentEvent, ServerSentEventParser } from "./sse-parser";

const chatStream =
  'event: sources\ndata: {"sources":[]}\n\n' +
  'event: token\ndata: {"text":"你好"}\n\n' +
  'event: token\r\ndata: {"text":" world"}\r\n\r\n' +
  ": keep-alive comment\n\n" +
  'event: done\ndata: {"threadId":"t1","messageId":"m1"}\n\n';

const expected: ServerSentEvent[] = [
  { event: "sources", data: '{"sources":[]}' },
  { event: "token", data: '{"text":"你好"}' },
  { event: "token", data: '{"text":" world"}' },
  { event: "done", data: '{"threadId":"t1","messageId":"m1"}' },
];

function streamOf(pieces: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(piece);
      controller.close();
    },
  });
}

async function collect(body: ReadableStream<Uint8Array>): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(body)) events.push(event);
  return events;
}

describe("ServerSentEventParser", () => {
  it("parses a whole stream in one piece", () => {
    expect(new ServerSentEventParser().push(chatStream)).toEqual(expected);
  });

  it("gives the same events however the text is split, including inside CRLF", () => {
    for (let size = 1; size <= 7; size++) {
      const parser = new ServerSentEventParser();
      const events: ServerSentEvent[] = [];
      for (let offset = 0; offset < chatStream.length; offset += size) {
        events.push(...parser.push(chatStream.slice(offset, offset + size)));
      }
      expect(events, `pieces of ${size}`).toEqual(expected);
    }
  });

  it("joins multi-line data, defaults the event name and keeps the id", () => {
    const events = new ServerSentEventParser().push("id: 7\ndata: one\ndata:two\n\nevent: x\n\n");
    expect(events).toEqual([{ event: "message", data: "one\ntwo", id: "7" }]);
  });

  it("treats a lone CR as a line end", () => {
    expect(new ServerSentEventParser().push("event: token\rdata: a\r\r")).toEqual([
      { event: "token", data: "a" },
    ]);
  });
});

describe("readServerSentEvents", () => {
  it("decodes UTF-8 characters split across byte chunks", async () => {
    const bytes = new TextEncoder().encode(chatStream);
    const pieces: Uint8Array[] = [];
    for (let offset = 0; offset < bytes.length; offset += 3) pieces.push(bytes.slice(offset, offset + 3));
    expect(await collect(streamOf(pieces))).toEqual(expected);
  });

  it("drops an event that was never terminated by a blank line", async () => {
    const bytes = new TextEncoder().encode('event: token\ndata: {"text":"a"}\n\nevent: token\ndata: cut');
    expect(await collect(streamOf([bytes]))).toEqual([{ event: "token", data: '{"text":"a"}' }]);
  });
});
