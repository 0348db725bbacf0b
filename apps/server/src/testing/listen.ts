import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

/** An app listening on a free loopback port, for clients that need a real URL (openai, MCP, LangChain). */
export interface Listening {
  /** Such as `http://127.0.0.1:41234`. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves `app` on 127.0.0.1 at a free port. */
export async function listenOnLoopback(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<Listening> {
  let close: () => Promise<void> = async () => {};
  const port = await new Promise<number>((resolve) => {
    const listener = serve({ fetch: app.fetch, port: 0, hostname: "127.0.0.1" }, (info: AddressInfo) =>
      resolve(info.port),
    );
    close = () => new Promise<void>((done) => listener.close(() => done()));
  });
  return { baseUrl: `http://127.0.0.1:${port}`, close };
}
