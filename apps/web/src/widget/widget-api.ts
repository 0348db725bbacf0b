import { createParser } from "eventsource-parser";

/** A cited passage as the widget receives it. */
export interface WidgetSource {
  index: number;
  documentName: string;
  chunkId: string;
  page: number | null;
  headings: string[];
  text: string;
}

/** An error the server explained (`{error:{code,message}}`) or a connection that failed. */
export class WidgetError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.code = code;
  }
}

/** What `ask` reports while an answer streams in. */
export interface AskHandlers {
  onSources(sources: WidgetSource[]): void;
  onToken(text: string): void;
}

/** The widget's calls to its Zhiku server, for one key. Bodies go as text/plain so browsers send no preflight. */
export function createWidgetApi(options: { server: string; key: string }) {
  const base = `${options.server}/widget/v1/${encodeURIComponent(options.key)}`;

  async function call(path: string, init?: RequestInit): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, { ...init, credentials: "omit" });
    } catch {
      throw new WidgetError("unavailable:network", "The assistant could not be reached");
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as
        | { error?: { code?: string; message?: string } }
        | undefined;
      throw new WidgetError(
        body?.error?.code ?? `http:${response.status}`,
        body?.error?.message ?? response.statusText,
      );
    }
    return response;
  }

  const post = (path: string, body: unknown) =>
    call(path, { method: "POST", headers: { "content-type": "text/plain" }, body: JSON.stringify(body) });

  return {
    /** The workspace's name. */
    async config(): Promise<{ workspace: string }> {
      return (await call("/config")).json() as Promise<{ workspace: string }>;
    },

    /** A passage the answer cited. */
    async passage(chunkId: string): Promise<Omit<WidgetSource, "index">> {
      return (await call(`/passages/${encodeURIComponent(chunkId)}`)).json() as Promise<
        Omit<WidgetSource, "index">
      >;
    },

    /** Streams an answer; resolves when it is complete, rejects with a {@link WidgetError}. */
    async ask(question: string, handlers: AskHandlers): Promise<void> {
      const response = await post("/ask", { question });
      const reader = response.body?.pipeThrough(new TextDecoderStream()).getReader();
      if (!reader) throw new WidgetError("unavailable:network", "The answer did not arrive");
      let failure: WidgetError | undefined;
      let done = false;
      const parser = createParser({
        onEvent(event) {
          const data = JSON.parse(event.data) as Record<string, unknown>;
          if (event.event === "sources") handlers.onSources(data.sources as WidgetSource[]);
          else if (event.event === "token") handlers.onToken(String(data.text ?? ""));
          else if (event.event === "error")
            failure = new WidgetError(String(data.code), String(data.message));
          else if (event.event === "done") done = true;
        },
      });
      for (;;) {
        const { value, done: ended } = await reader.read();
        if (ended) break;
        parser.feed(value);
      }
      if (failure) throw failure;
      if (!done) throw new WidgetError("unavailable:network", "The answer was cut off");
    },
  };
}

/** The API of one widget. */
export type WidgetApi = ReturnType<typeof createWidgetApi>;
