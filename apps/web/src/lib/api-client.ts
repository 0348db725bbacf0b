import type { AppType } from "@zhiku/server";
import { hc } from "hono/client";
import { ApiError, errorFromResponse, toApiError } from "./api-error";
import type {
  Chunk,
  DocumentSummary,
  Health,
  Thread,
  ThreadMessage,
  Workspace,
  WorkspaceSettings,
} from "./api-types";

/** How the client reaches the server. */
export interface ApiClientOptions {
  /** Origin (and optional prefix) of the server; "" for the page's own origin. */
  baseUrl?: string;
  /** The fetch to use; tests pass a fake, the app passes the browser's. */
  fetch?: typeof fetch;
}

/** Body of a chat request. */
export interface ChatRequestBody {
  message: string;
  threadId?: string;
  mode?: "chat" | "query";
}

/** What `PATCH /api/workspaces/:slug` accepts: a setting set to null returns to the server's default. */
export interface WorkspaceUpdate {
  name?: string;
  settings?: { [Key in keyof WorkspaceSettings]?: WorkspaceSettings[Key] | null };
}

/**
 * The typed API client: one method per route, built on Hono RPC (`hc<AppType>`). The results the server's
 * route types infer must fit these declared shapes, so a route or field the server changes breaks the build.
 * Every method throws {@link ApiError} on failure, so callers show `error.message` and never look at a status.
 */
export interface ApiClient {
  health(): Promise<Health>;
  pullModel(name: string, signal?: AbortSignal): Promise<Response>;
  listWorkspaces(): Promise<Workspace[]>;
  createWorkspace(name: string): Promise<Workspace>;
  getWorkspace(slug: string): Promise<Workspace>;
  updateWorkspace(slug: string, update: WorkspaceUpdate): Promise<Workspace>;
  deleteWorkspace(slug: string): Promise<void>;
  listDocuments(slug: string): Promise<DocumentSummary[]>;
  uploadDocuments(slug: string, files: readonly File[]): Promise<DocumentSummary[]>;
  ingestUrl(slug: string, url: string): Promise<DocumentSummary[]>;
  deleteDocument(slug: string, id: string): Promise<void>;
  retryDocument(slug: string, id: string): Promise<void>;
  cancelDocument(slug: string, id: string): Promise<DocumentSummary>;
  listChunks(slug: string, id: string): Promise<Chunk[]>;
  downloadDocument(slug: string, id: string, name: string): Promise<File>;
  documentFileUrl(slug: string, id: string, page?: number | null): string;
  documentEventsUrl(slug: string): string;
  listThreads(slug: string): Promise<Thread[]>;
  getThread(id: string): Promise<{ thread: Thread; messages: ThreadMessage[] }>;
  renameThread(id: string, title: string): Promise<Thread>;
  deleteThread(id: string): Promise<void>;
  sendFeedback(messageId: string, rating: "up" | "down"): Promise<void>;
  chat(slug: string, request: ChatRequestBody, signal?: AbortSignal): Promise<Response>;
}

/** Creates the API client; see {@link ApiClient}. */
export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const baseUrl = options.baseUrl ?? "";
  const fetchImplementation: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  // hc needs an absolute base to build URLs; the page's origin when the client talks to its own server.
  const origin = baseUrl || (typeof window === "undefined" ? "http://localhost" : window.location.origin);
  const client = hc<AppType>(origin, { fetch: fetchImplementation });
  const { api } = client;

  /** Awaits a request; resolves with the OK response or throws the server's error as an ApiError. */
  async function ok<R extends Response>(request: Promise<R>): Promise<R & { ok: true }> {
    let response: R;
    try {
      response = await request;
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw toApiError(error);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response as R & { ok: true };
  }

  /** Reads a typed JSON body. */
  async function body<T>(response: { json(): Promise<T>; url: string }): Promise<T> {
    try {
      return await response.json();
    } catch {
      throw new ApiError({
        code: "invalid:response",
        message: `Unreadable reply from ${response.url}`,
        status: 0,
      });
    }
  }

  const workspace = api.workspaces[":slug"];
  const document = workspace.documents[":id"];
  const eventStream = { headers: { accept: "text/event-stream" } };

  return {
    /** `GET /api/health`. */
    health: async () => body(await ok(api.health.$get())),

    /** `POST /api/models/pull`: the response streams `progress` events, then `done` (or `error`). */
    pullModel: (name: string, signal?: AbortSignal) =>
      ok(api.models.pull.$post({ json: { name } }, { ...eventStream, init: { signal } })),

    /** `GET /api/workspaces`. */
    listWorkspaces: async () => (await body(await ok(api.workspaces.$get()))).workspaces,

    /** `POST /api/workspaces`. */
    createWorkspace: async (name: string) =>
      (await body(await ok(api.workspaces.$post({ json: { name } })))).workspace,

    /** `GET /api/workspaces/:slug`. */
    getWorkspace: async (slug: string) =>
      (await body(await ok(workspace.$get({ param: { slug } })))).workspace,

    /** `PATCH /api/workspaces/:slug`. */
    updateWorkspace: async (slug: string, update: WorkspaceUpdate) =>
      (await body(await ok(workspace.$patch({ param: { slug }, json: update })))).workspace,

    /** `DELETE /api/workspaces/:slug`. */
    deleteWorkspace: async (slug: string) => {
      await ok(workspace.$delete({ param: { slug } }));
    },

    /** `GET /api/workspaces/:slug/documents`. */
    listDocuments: async (slug: string) =>
      (await body(await ok(workspace.documents.$get({ param: { slug } })))).documents,

    /** `POST /api/workspaces/:slug/documents`: one multipart `file` field per file. */
    uploadDocuments: async (slug: string, files: readonly File[]) => {
      const form = new FormData();
      for (const file of files) form.append("file", file, file.name);
      // The route reads the multipart body itself (many files), so it declares no form schema to type here.
      const response = await ok(workspace.documents.$post({ param: { slug } }, { init: { body: form } }));
      return (await body(response)).documents;
    },

    /** `POST /api/workspaces/:slug/documents/url`: the server fetches the page. */
    ingestUrl: async (slug: string, url: string) =>
      (await body(await ok(workspace.documents.url.$post({ param: { slug }, json: { url } })))).documents,

    /** `DELETE /api/workspaces/:slug/documents/:id`. */
    deleteDocument: async (slug: string, id: string) => {
      await ok(document.$delete({ param: { slug, id } }));
    },

    /** `POST /api/workspaces/:slug/documents/:id/retry`. */
    retryDocument: async (slug: string, id: string) => {
      await ok(document.retry.$post({ param: { slug, id } }));
    },

    /** `POST /api/workspaces/:slug/documents/:id/cancel`: stops a queued or running ingestion. */
    cancelDocument: async (slug: string, id: string) =>
      (await body(await ok(document.cancel.$post({ param: { slug, id } })))).document,

    /** `GET /api/workspaces/:slug/documents/:id/chunks`. */
    listChunks: async (slug: string, id: string) =>
      (await body(await ok(document.chunks.$get({ param: { slug, id } })))).chunks,

    /** `GET /api/workspaces/:slug/documents/:id/file` as a File (used to upload an original again). */
    downloadDocument: async (slug: string, id: string, name: string) => {
      const response = await ok(document.file.$get({ param: { slug, id } }));
      return new File([await response.blob()], name);
    },

    /** Address of the original file; `page` adds a `#page=N` fragment that PDF viewers follow. */
    documentFileUrl: (slug: string, id: string, page?: number | null) =>
      `${baseUrl}${new URL(document.file.$url({ param: { slug, id } })).pathname}${page ? `#page=${page}` : ""}`,

    /** Address of the workspace's document progress stream (for EventSource). */
    documentEventsUrl: (slug: string) =>
      `${baseUrl}${new URL(workspace.events.$url({ param: { slug } })).pathname}`,

    /** `GET /api/workspaces/:slug/threads`. */
    listThreads: async (slug: string) =>
      (await body(await ok(workspace.threads.$get({ param: { slug } })))).threads,

    /** `GET /api/threads/:id`. */
    getThread: async (id: string) => body(await ok(api.threads[":id"].$get({ param: { id } }))),

    /** `PATCH /api/threads/:id`. */
    renameThread: async (id: string, title: string) =>
      (await body(await ok(api.threads[":id"].$patch({ param: { id }, json: { title } })))).thread,

    /** `DELETE /api/threads/:id`. */
    deleteThread: async (id: string) => {
      await ok(api.threads[":id"].$delete({ param: { id } }));
    },

    /** `POST /api/messages/:id/feedback`. */
    sendFeedback: async (messageId: string, rating: "up" | "down") => {
      await ok(api.messages[":id"].feedback.$post({ param: { id: messageId }, json: { rating } }));
    },

    /** `POST /api/workspaces/:slug/chat` asking for server-sent events; see chat-stream.ts. */
    chat: (slug: string, request: ChatRequestBody, signal?: AbortSignal) =>
      ok(workspace.chat.$post({ param: { slug }, json: request }, { ...eventStream, init: { signal } })),
  };
}
