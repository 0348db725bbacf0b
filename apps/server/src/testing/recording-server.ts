import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";

/** One request a {@link RecordingServer} received. */
export interface RecordedRequest {
  method: string;
  /** Path and query, such as `/api/chat.postMessage?x=1`. */
  url: string;
  /** The path without the query. */
  path: string;
  headers: IncomingMessage["headers"];
  /** The body as text. */
  body: string;
}

/** What the server answers to one request: a status and a JSON body. */
export interface RecordedReply {
  status?: number;
  body: unknown;
}

/** A loopback HTTP server standing in for a chat platform's API: it records each request and answers from `reply`. */
export interface RecordingServer {
  /** Such as `http://127.0.0.1:41234`. */
  url: string;
  /** Every request so far, in arrival order. */
  requests: RecordedRequest[];
  /** Resolves once `count` requests matching `path` arrived (or rejects after `timeoutMs`, default 10 s). */
  waitFor(path: string | RegExp, count?: number, timeoutMs?: number): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}

function matches(request: RecordedRequest, path: string | RegExp): boolean {
  return typeof path === "string" ? request.path === path : path.test(request.path);
}

/**
 * Starts a recording server on 127.0.0.1 at a free port. `reply` decides each answer; unknown paths get 404 so a
 * client calling the wrong endpoint fails loudly.
 */
export async function startRecordingServer(
  reply: (request: RecordedRequest) => RecordedReply | undefined,
): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const waiters = new Set<() => void>();
  const server = createServer((incoming, outgoing) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const url = incoming.url ?? "/";
      const request: RecordedRequest = {
        method: incoming.method ?? "GET",
        url,
        path: url.split("?")[0] ?? url,
        headers: incoming.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      requests.push(request);
      const answer = reply(request) ?? { status: 404, body: { error: `no route ${request.path}` } };
      outgoing.writeHead(answer.status ?? 200, { "content-type": "application/json; charset=utf-8" });
      outgoing.end(JSON.stringify(answer.body));
      for (const waiter of waiters) waiter();
    });
  });
  const port = await new Promise<number>((resolve) => {
    server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    waitFor(path, count = 1, timeoutMs = 10_000) {
      const found = () => requests.filter((request) => matches(request, path));
      return new Promise((resolve, reject) => {
        const check = () => {
          const current = found();
          if (current.length < count) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(current);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`Timed out waiting for ${count} request(s) to ${String(path)}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
