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

/** What `PATCH /api/workspaces/:slug` accepts. */
export interface WorkspaceUpdate {
  name?: string;
  settings?: WorkspaceSettings;
}

/**
 * The typed API client: one method per route of the server contract.
 * Each method is a thin call that throws {@link ApiError} on any failure, so callers show
 * `error.message` and never have to look at a status code.
 */
export type ApiClient = ReturnType<typeof createApiClient>;

/** Creates the API client; see {@link ApiClient}. */
export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? "";
  const fetchImplementation: typeof fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));

  /** Sends a request; resolves with the OK response or throws the server's error as an ApiError. */
  async function send(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetchImplementation(`${baseUrl}${path}`, init);
    } catch (error) {
      if (error instanceof DOMException && error.name === "AbortError") throw error;
      throw toApiError(error);
    }
    if (!response.ok) throw await errorFromResponse(response);
    return response;
  }

  async function json<T>(path: string, init: RequestInit = {}): Promise<T> {
    const response = await send(path, init);
    if (response.status === 204) return undefined as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiError({ code: "invalid:response", message: `Unreadable reply from ${path}`, status: 0 });
    }
  }

  function jsonBody(method: string, body: unknown): RequestInit {
    return { method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  }

  const workspacePath = (slug: string) => `/api/workspaces/${encodeURIComponent(slug)}`;
  const documentPath = (slug: string, id: string) =>
    `${workspacePath(slug)}/documents/${encodeURIComponent(id)}`;

  return {
    /** `GET /api/health`. */
    health: () => json<Health>("/api/health"),

    /** `POST /api/models/pull`: the response streams the pull's progress as server-sent events. */
    pullModel: (name: string, signal?: AbortSignal) =>
      send("/api/models/pull", {
        ...jsonBody("POST", { name }),
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        signal,
      }),

    /** `GET /api/workspaces`. */
    listWorkspaces: async () => (await json<{ workspaces: Workspace[] }>("/api/workspaces")).workspaces,

    /** `POST /api/workspaces`. */
    createWorkspace: async (name: string) =>
      (await json<{ workspace: Workspace }>("/api/workspaces", jsonBody("POST", { name }))).workspace,

    /** `GET /api/workspaces/:slug`. */
    getWorkspace: async (slug: string) =>
      (await json<{ workspace: Workspace }>(workspacePath(slug))).workspace,

    /** `PATCH /api/workspaces/:slug`. */
    updateWorkspace: async (slug: string, update: WorkspaceUpdate) =>
      (await json<{ workspace: Workspace }>(workspacePath(slug), jsonBody("PATCH", update))).workspace,

    /** `DELETE /api/workspaces/:slug`. */
    deleteWorkspace: async (slug: string) => {
      await send(workspacePath(slug), { method: "DELETE" });
    },

    /** `GET /api/workspaces/:slug/documents`. */
    listDocuments: async (slug: string) =>
      (await json<{ documents: DocumentSummary[] }>(`${workspacePath(slug)}/documents`)).documents,

    /** `POST /api/workspaces/:slug/documents`: one multipart `file` field per file. */
    uploadDocuments: async (slug: string, files: readonly File[]) => {
      const form = new FormData();
      for (const file of files) form.append("file", file, file.name);
      return (
        await json<{ documents: DocumentSummary[] }>(`${workspacePath(slug)}/documents`, {
          method: "POST",
          body: form,
        })
      ).documents;
    },

    /** `POST /api/workspaces/:slug/documents/url`: the server fetches the page. */
    ingestUrl: async (slug: string, url: string) => {
      const body = await json<{ document?: DocumentSummary; documents?: DocumentSummary[] }>(
        `${workspacePath(slug)}/documents/url`,
        jsonBody("POST", { url }),
      );
      return body.documents ?? (body.document ? [body.document] : []);
    },

    /** `DELETE /api/workspaces/:slug/documents/:id`. */
    deleteDocument: async (slug: string, id: string) => {
      await send(documentPath(slug, id), { method: "DELETE" });
    },

    /** `POST /api/workspaces/:slug/documents/:id/retry`. */
    retryDocument: async (slug: string, id: string) => {
      await send(`${documentPath(slug, id)}/retry`, { method: "POST" });
    },

    /** `GET /api/workspaces/:slug/documents/:id/chunks`. */
    listChunks: async (slug: string, id: string) =>
      (await json<{ chunks: Chunk[] }>(`${documentPath(slug, id)}/chunks`)).chunks,

    /** `GET /api/workspaces/:slug/documents/:id/file` as a File (used to upload an original again). */
    downloadDocument: async (slug: string, id: string, name: string) => {
      const response = await send(`${documentPath(slug, id)}/file`);
      return new File([await response.blob()], name);
    },

    /** Address of the original file; `page` adds a `#page=N` fragment that PDF viewers follow. */
    documentFileUrl: (slug: string, id: string, page?: number | null) =>
      `${baseUrl}${documentPath(slug, id)}/file${page ? `#page=${page}` : ""}`,

    /** Address of the workspace's document progress stream (for EventSource). */
    documentEventsUrl: (slug: string) => `${baseUrl}${workspacePath(slug)}/events`,

    /** `GET /api/workspaces/:slug/threads`. */
    listThreads: async (slug: string) =>
      (await json<{ threads: Thread[] }>(`${workspacePath(slug)}/threads`)).threads,

    /** `GET /api/threads/:id`. */
    getThread: (id: string) =>
      json<{ thread: Thread; messages: ThreadMessage[] }>(`/api/threads/${encodeURIComponent(id)}`),

    /** `PATCH /api/threads/:id`. */
    renameThread: async (id: string, title: string) => {
      await send(`/api/threads/${encodeURIComponent(id)}`, jsonBody("PATCH", { title }));
    },

    /** `DELETE /api/threads/:id`. */
    deleteThread: async (id: string) => {
      await send(`/api/threads/${encodeURIComponent(id)}`, { method: "DELETE" });
    },

    /** `POST /api/messages/:id/feedback`. */
    sendFeedback: async (messageId: string, rating: "up" | "down") => {
      await send(`/api/messages/${encodeURIComponent(messageId)}/feedback`, jsonBody("POST", { rating }));
    },

    /** `POST /api/workspaces/:slug/chat` asking for server-sent events; see chat-stream.ts. */
    chat: (slug: string, body: ChatRequestBody, signal?: AbortSignal) =>
      send(`${workspacePath(slug)}/chat`, {
        method: "POST",
        headers: { "content-type": "application/json", accept: "text/event-stream" },
        body: JSON.stringify(body),
        signal,
      }),
  };
}
