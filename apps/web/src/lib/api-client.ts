import type { AppType } from "@zhiku/server";
import { hc } from "hono/client";
import { ApiError, errorFromResponse, toApiError } from "./api-error";
import type {
  ApiKey,
  AuditEvent,
  AuthStatus,
  ChatRequestBody,
  Chunk,
  CreatedApiKey,
  Credentials,
  DocumentDetails,
  DocumentSummary,
  DocumentText,
  FeedbackRating,
  Health,
  InstalledModel,
  Integration,
  IntegrationUpdate,
  Member,
  MemberChange,
  NewApiKey,
  NewIntegration,
  NewSyncedSource,
  NewUser,
  NewWidgetKey,
  PasswordChange,
  QueuedDocument,
  SyncedSource,
  Thread,
  ThreadWithMessages,
  User,
  UserUpdate,
  WidgetKey,
  Workspace,
  WorkspaceUpdate,
} from "./api-types";

/**
 * The header every request carries. A cross-site form cannot send a custom header, so the server accepts
 * cookie-authenticated changes only with it (CSRF protection).
 */
export const csrfHeader = { name: "X-Zhiku-CSRF", value: "1" } as const;

/**
 * Wraps a fetch so every request sends the CSRF header and the page's own cookies (the session).
 * The one place this is done: the typed routes, uploads and the chat stream all go through it.
 */
export function withSession(fetchImplementation: typeof fetch): typeof fetch {
  return (input, init) => {
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(csrfHeader.name, csrfHeader.value);
    return fetchImplementation(input, { ...init, headers, credentials: "same-origin" });
  };
}

/** How the client reaches the server. */
export interface ApiClientOptions {
  /** Origin (and optional prefix) of the server; "" for the page's own origin. */
  baseUrl?: string;
  /** The fetch to use; tests pass a fake, the app passes the browser's. */
  fetch?: typeof fetch;
}

/** Paging of the audit log: newest first, `before` the id of the last event already shown. */
export interface AuditQuery {
  limit?: number;
  before?: string | number;
}

/** Routes whose 401 means "wrong credentials", not "your session ended". */
const publicAuthPaths = new Set(["/api/auth/status", "/api/auth/login", "/api/auth/setup"]);

/**
 * The typed API client: one method per route, built on Hono RPC (`hc<AppType>`), so what each method returns is what
 * the server's route types infer and a route or field the server changes breaks the build.
 * Every method throws {@link ApiError} on failure, so callers show `error.message` and never look at a status.
 */
export type ApiClient = ReturnType<typeof createApiClient>;

/** Creates the API client; see {@link ApiClient}. */
export function createApiClient(options: ApiClientOptions = {}) {
  const baseUrl = options.baseUrl ?? "";
  // hc needs an absolute base to build URLs; the page's origin when the client talks to its own server.
  const origin = baseUrl || (typeof window === "undefined" ? "http://localhost" : window.location.origin);
  const unauthorizedListeners = new Set<() => void>();
  const sessionFetch = withSession(options.fetch ?? ((input, init) => globalThis.fetch(input, init)));
  // A 401 to anything but the public sign-in routes means the session ended: tell the app.
  const fetchImplementation: typeof fetch = async (input, init) => {
    const response = await sessionFetch(input, init);
    if (response.status === 401) {
      const address = input instanceof Request ? input.url : String(input);
      if (!publicAuthPaths.has(new URL(address, origin).pathname)) {
        for (const listener of unauthorizedListeners) listener();
      }
    }
    return response;
  };
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
    /** `GET /api/health`, asking Ollama now (`Cache-Control: no-cache`): the banner shows what is true at this moment. */
    health: async (): Promise<Health> =>
      body(await ok(api.health.$get(undefined, { headers: { "cache-control": "no-cache" } }))),

    /** `GET /api/models`: the models installed in Ollama; throws `unavailable:ollama` when it cannot be reached. */
    listModels: async (): Promise<InstalledModel[]> => (await body(await ok(api.models.$get()))).models,

    /** `POST /api/models/pull`: the response streams `progress` events, then `done` (or `error`). */
    pullModel: (name: string, signal?: AbortSignal) =>
      ok(api.models.pull.$post({ json: { name } }, { ...eventStream, init: { signal } })),

    /** `GET /api/workspaces`. */
    listWorkspaces: async (): Promise<Workspace[]> =>
      (await body(await ok(api.workspaces.$get()))).workspaces,

    /** `POST /api/workspaces`. */
    createWorkspace: async (name: string): Promise<Workspace> =>
      (await body(await ok(api.workspaces.$post({ json: { name } })))).workspace,

    /** `GET /api/workspaces/:slug`. */
    getWorkspace: async (slug: string): Promise<Workspace> =>
      (await body(await ok(workspace.$get({ param: { slug } })))).workspace,

    /** `PATCH /api/workspaces/:slug`. */
    updateWorkspace: async (slug: string, update: WorkspaceUpdate): Promise<Workspace> =>
      (await body(await ok(workspace.$patch({ param: { slug }, json: update })))).workspace,

    /** `DELETE /api/workspaces/:slug`. */
    deleteWorkspace: async (slug: string) => {
      await ok(workspace.$delete({ param: { slug } }));
    },

    /** `GET /api/workspaces/:slug/documents`. */
    listDocuments: async (slug: string): Promise<DocumentSummary[]> =>
      (await body(await ok(workspace.documents.$get({ param: { slug } })))).documents,

    /** `POST /api/workspaces/:slug/documents`: one multipart `file` field per file. */
    uploadDocuments: async (slug: string, files: readonly File[]): Promise<QueuedDocument[]> => {
      const form = new FormData();
      for (const file of files) form.append("file", file, file.name);
      // The route reads the multipart body itself (many files), so it declares no form schema to type here.
      const response = await ok(workspace.documents.$post({ param: { slug } }, { init: { body: form } }));
      return (await body(response)).documents;
    },

    /** `POST /api/workspaces/:slug/documents/url`: the server fetches the page. */
    ingestUrl: async (slug: string, url: string): Promise<QueuedDocument[]> =>
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
    cancelDocument: async (slug: string, id: string): Promise<DocumentDetails> =>
      (await body(await ok(document.cancel.$post({ param: { slug, id } })))).document,

    /** `GET /api/workspaces/:slug/documents/:id/chunks`. */
    listChunks: async (slug: string, id: string): Promise<Chunk[]> =>
      (await body(await ok(document.chunks.$get({ param: { slug, id } })))).chunks,

    /** `GET /api/workspaces/:slug/documents/:id/text`: the document, its text and where each chunk stands in it. */
    getDocumentText: async (slug: string, id: string): Promise<DocumentText> =>
      body(await ok(document.text.$get({ param: { slug, id } }))),

    /** `GET /api/workspaces/:slug/documents/:id/file` as a File (used to upload an original again). */
    downloadDocument: async (slug: string, id: string, name: string) => {
      const response = await ok(document.file.$get({ param: { slug, id } }));
      return new File([await response.blob()], name);
    },

    /** Address of the original file, for downloading it (the in-app viewer shows it: see viewer-path.ts). */
    documentFileUrl: (slug: string, id: string) =>
      `${baseUrl}${new URL(document.file.$url({ param: { slug, id } })).pathname}`,

    /** Address of the workspace's document progress stream (for EventSource). */
    documentEventsUrl: (slug: string) =>
      `${baseUrl}${new URL(workspace.events.$url({ param: { slug } })).pathname}`,

    /** `GET /api/workspaces/:slug/threads`. */
    listThreads: async (slug: string): Promise<Thread[]> =>
      (await body(await ok(workspace.threads.$get({ param: { slug } })))).threads,

    /** `GET /api/threads/:id`. */
    getThread: async (id: string): Promise<ThreadWithMessages> =>
      body(await ok(api.threads[":id"].$get({ param: { id } }))),

    /** `PATCH /api/threads/:id`. */
    renameThread: async (id: string, title: string): Promise<Thread> =>
      (await body(await ok(api.threads[":id"].$patch({ param: { id }, json: { title } })))).thread,

    /** `DELETE /api/threads/:id`. */
    deleteThread: async (id: string) => {
      await ok(api.threads[":id"].$delete({ param: { id } }));
    },

    /** `POST /api/messages/:id/feedback`. */
    sendFeedback: async (messageId: string, rating: FeedbackRating) => {
      await ok(api.messages[":id"].feedback.$post({ param: { id: messageId }, json: { rating } }));
    },

    /** `POST /api/workspaces/:slug/chat` asking for server-sent events; see chat-stream.ts. */
    chat: (slug: string, request: ChatRequestBody, signal?: AbortSignal) =>
      ok(workspace.chat.$post({ param: { slug }, json: request }, { ...eventStream, init: { signal } })),

    /**
     * `POST /api/workspaces/:slug/chat/stop`: stops the answer started with this `requestId`; its stream then ends
     * with `done` (status `stopped`). False when no such answer is in progress on the server.
     */
    stopChat: async (slug: string, requestId: string): Promise<boolean> =>
      (await body(await ok(workspace.chat.stop.$post({ param: { slug }, json: { requestId } })))).stopped,

    /** `GET /api/auth/status`: public; whether setup is needed and who is signed in. */
    authStatus: async (): Promise<AuthStatus> => body(await ok(api.auth.status.$get())),

    /** `POST /api/auth/setup`: creates the first admin and signs them in. */
    setup: async (credentials: Credentials): Promise<User> =>
      (await body(await ok(api.auth.setup.$post({ json: credentials })))).user,

    /** `POST /api/auth/login`: sets the session cookie. */
    login: async (credentials: Credentials): Promise<User> =>
      (await body(await ok(api.auth.login.$post({ json: credentials })))).user,

    /** `POST /api/auth/logout`: ends the session on the server and clears the cookie. */
    logout: async () => {
      await ok(api.auth.logout.$post());
    },

    /** `POST /api/auth/password`: the user's other sessions end. */
    changePassword: async (change: PasswordChange) => {
      await ok(api.auth.password.$post({ json: change }));
    },

    /** `GET /api/users` (admins). */
    listUsers: async (): Promise<User[]> => (await body(await ok(api.users.$get()))).users,

    /** `POST /api/users` (admins). */
    createUser: async (user: NewUser): Promise<User> =>
      (await body(await ok(api.users.$post({ json: user })))).user,

    /** `PATCH /api/users/:id` (admins): change the role or reset the password. */
    updateUser: async (id: string, update: UserUpdate): Promise<User> =>
      (await body(await ok(api.users[":id"].$patch({ param: { id }, json: update })))).user,

    /** `DELETE /api/users/:id` (admins). */
    deleteUser: async (id: string) => {
      await ok(api.users[":id"].$delete({ param: { id } }));
    },

    /** `GET /api/workspaces/:slug/members` (owner or admin). */
    listMembers: async (slug: string): Promise<Member[]> =>
      (await body(await ok(workspace.members.$get({ param: { slug } })))).members,

    /** `POST /api/workspaces/:slug/members` (owner or admin). */
    setMember: async (slug: string, member: MemberChange): Promise<Member> =>
      (await body(await ok(workspace.members.$post({ param: { slug }, json: member })))).member,

    /** `DELETE /api/workspaces/:slug/members/:userId` (owner or admin). */
    removeMember: async (slug: string, userId: string) => {
      await ok(workspace.members[":userId"].$delete({ param: { slug, userId } }));
    },

    /** `GET /api/workspaces/:slug/sources`: the workspace's synced sources with their last sync. */
    listSources: async (slug: string): Promise<SyncedSource[]> =>
      (await body(await ok(workspace.sources.$get({ param: { slug } })))).sources,

    /** `POST /api/workspaces/:slug/sources` (editors; folders admins only). */
    createSource: async (slug: string, source: NewSyncedSource): Promise<SyncedSource> =>
      (await body(await ok(workspace.sources.$post({ param: { slug }, json: source })))).source,

    /** `POST /api/workspaces/:slug/sources/:id/sync` (editors): starts a sync; the answer's lastSync is running. */
    syncSource: async (slug: string, id: string): Promise<SyncedSource> =>
      (await body(await ok(workspace.sources[":id"].sync.$post({ param: { slug, id } })))).source,

    /** `DELETE /api/workspaces/:slug/sources/:id` (editors): the source goes with the documents it brought in. */
    deleteSource: async (slug: string, id: string) => {
      await ok(workspace.sources[":id"].$delete({ param: { slug, id } }));
    },

    /** `GET /api/workspaces/:slug/widget-keys` (owners): the workspace's chat widget keys, newest first. */
    listWidgetKeys: async (slug: string): Promise<WidgetKey[]> =>
      (await body(await ok(workspace["widget-keys"].$get({ param: { slug } })))).widgetKeys,

    /** `POST /api/workspaces/:slug/widget-keys` (owners). */
    createWidgetKey: async (slug: string, key: NewWidgetKey): Promise<WidgetKey> =>
      (await body(await ok(workspace["widget-keys"].$post({ param: { slug }, json: key })))).widgetKey,

    /** `DELETE /api/workspaces/:slug/widget-keys/:id` (owners): pages using the key stop working at once. */
    revokeWidgetKey: async (slug: string, id: string) => {
      await ok(workspace["widget-keys"][":id"].$delete({ param: { slug, id } }));
    },

    /** `GET /api/workspaces/:slug/integrations` (admins): the workspace's chat bots, secrets masked. */
    listIntegrations: async (slug: string): Promise<Integration[]> =>
      (await body(await ok(workspace.integrations.$get({ param: { slug } })))).integrations,

    /** `POST /api/workspaces/:slug/integrations` (admins): connects a bot; the answer shows its secrets masked. */
    createIntegration: async (slug: string, integration: NewIntegration): Promise<Integration> =>
      (await body(await ok(workspace.integrations.$post({ param: { slug }, json: integration }))))
        .integration,

    /** `PATCH /api/workspaces/:slug/integrations/:id` (admins): secrets not given stay as stored. */
    updateIntegration: async (slug: string, id: string, update: IntegrationUpdate): Promise<Integration> =>
      (await body(await ok(workspace.integrations[":id"].$patch({ param: { slug, id }, json: update }))))
        .integration,

    /** `DELETE /api/workspaces/:slug/integrations/:id` (admins): the platform's callbacks are refused at once. */
    deleteIntegration: async (slug: string, id: string) => {
      await ok(workspace.integrations[":id"].$delete({ param: { slug, id } }));
    },

    /** `GET /api/api-keys`: the signed-in user's keys. */
    listApiKeys: async (): Promise<ApiKey[]> => (await body(await ok(api["api-keys"].$get()))).apiKeys,

    /** `POST /api/api-keys`: the answer holds the key itself, shown this once. */
    createApiKey: async (key: NewApiKey): Promise<CreatedApiKey> =>
      body(await ok(api["api-keys"].$post({ json: key }))),

    /** `DELETE /api/api-keys/:id`. */
    revokeApiKey: async (id: string) => {
      await ok(api["api-keys"][":id"].$delete({ param: { id } }));
    },

    /** `GET /api/audit` (admins), newest first. */
    listAudit: async (query: AuditQuery = {}): Promise<AuditEvent[]> => {
      const search: { limit?: string; before?: string } = {};
      if (query.limit !== undefined) search.limit = String(query.limit);
      if (query.before !== undefined) search.before = String(query.before);
      return (await body(await ok(api.audit.$get({ query: search })))).events;
    },

    /**
     * Calls `listener` whenever the server answers 401 to a request that needed a session (it expired or was
     * revoked), so the app can send the user to the login page. Returns the unsubscribe function.
     */
    onUnauthorized: (listener: () => void): (() => void) => {
      unauthorizedListeners.add(listener);
      return () => {
        unauthorizedListeners.delete(listener);
      };
    },
  };
}
