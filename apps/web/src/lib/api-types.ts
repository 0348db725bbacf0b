/**
 * Names for the shapes of the server's JSON that components pass around. None is written by hand: each is derived
 * from the server's route types (`AppType`) with `InferResponseType` / `InferRequestType`, or, for what routes do
 * not type (error bodies, event-stream data), taken from the types the server exports. A field the server changes
 * changes here, and the build shows every use it breaks.
 */
import type { AppType, DocumentEvent } from "@zhiku/server";
import type { hc, InferRequestType, InferResponseType } from "hono/client";

/** The typed routes of the server's `/api`, as `hc<AppType>` sees them. */
export type Api = ReturnType<typeof hc<AppType>>["api"];
type WorkspaceRoutes = Api["workspaces"][":slug"];
type DocumentRoutes = WorkspaceRoutes["documents"][":id"];

/** A model installed in Ollama (`GET /api/models`). */
export type InstalledModel = InferResponseType<Api["models"]["$get"], 200>["models"][number];

/** The server's health report (`GET /api/health`). */
export type Health = InferResponseType<Api["health"]["$get"], 200>;

/** A workspace as listed by the server, with the signed-in user's role in it (admins: owner). */
export type Workspace = InferResponseType<Api["workspaces"]["$get"], 200>["workspaces"][number];

/** Per-workspace settings; every field optional, the server applies defaults. */
export type WorkspaceSettings = Workspace["settings"];

/** What a user may do in a workspace: viewer reads and asks, editor also changes documents, owner everything. */
export type WorkspaceRole = Workspace["myRole"];

/** Search mode for retrieval. */
export type SearchMode = NonNullable<WorkspaceSettings["mode"]>;

/** What `PATCH /api/workspaces/:slug` accepts: a setting set to null returns to the server's default. */
export type WorkspaceUpdate = InferRequestType<WorkspaceRoutes["$patch"]>["json"];

/** A document as listed by the server. */
export type DocumentSummary = InferResponseType<
  WorkspaceRoutes["documents"]["$get"],
  200
>["documents"][number];

/** A document as read on its own (`GET /api/workspaces/:slug/documents/:id`, and after a cancel). */
export type DocumentDetails = InferResponseType<DocumentRoutes["$get"], 200>["document"];

/** The short form of a document an upload or a URL ingestion answers with, once it is queued. */
export type QueuedDocument = InferResponseType<
  WorkspaceRoutes["documents"]["$post"],
  202
>["documents"][number];

/** Lifecycle of a document. */
export type DocumentStatus = DocumentSummary["status"];

/** Progress of one document, the data of the `document` event of the workspace event stream. */
export type DocumentProgress = DocumentEvent;

/** A stored chunk, for the chunk viewer. */
export type Chunk = InferResponseType<DocumentRoutes["chunks"]["$get"], 200>["chunks"][number];

/** A document's text with each chunk's place, heading path and page in it, for the document viewer. */
export type DocumentText = InferResponseType<DocumentRoutes["text"]["$get"], 200>;

/** Where one chunk stands in a {@link DocumentText}. */
export type PlacedChunk = DocumentText["chunks"][number];

/** Body of a chat request. */
export type ChatRequestBody = InferRequestType<WorkspaceRoutes["chat"]["$post"]>["json"];

/** Answer mode: `query` answers only from documents, `chat` may answer generally. */
export type ChatMode = NonNullable<ChatRequestBody["mode"]>;

/** A conversation thread. */
export type Thread = InferResponseType<WorkspaceRoutes["threads"]["$get"], 200>["threads"][number];

/** A thread with its stored messages (`GET /api/threads/:id`). */
export type ThreadWithMessages = InferResponseType<Api["threads"][":id"]["$get"], 200>;

/** A stored message of a thread, with the passages its answer cites. */
export type ThreadMessage = ThreadWithMessages["messages"][number];

/** How a stored answer ended: `done`, or `stopped` (partial). */
export type AnswerStatus = ThreadMessage["status"];

/** An earlier answer to a question, kept when the answer was regenerated. */
export type StoredAnswerVersion = ThreadMessage["earlierVersions"][number];

/** The rating of an assistant message. */
export type FeedbackRating = InferRequestType<Api["messages"][":id"]["feedback"]["$post"]>["json"]["rating"];

/**
 * What reranking did to a search's passages (`rerank` of the search response and of the chat stream's `sources`
 * event): whether the reranker ordered them, and why not when it fell back. Absent without a reranker.
 */
export type RerankSummary = NonNullable<InferResponseType<WorkspaceRoutes["search"]["$post"], 200>["rerank"]>;

/** A passage cited by an answer; `index` is the n of `[n]`. Also the data of the chat stream's `sources` event. */
export type Source = ThreadMessage["sources"][number];

/** `GET /api/auth/status`: whether the first admin still has to be created, and who is signed in. */
export type AuthStatus = InferResponseType<Api["auth"]["status"]["$get"], 200>;

/** An account. */
export type User = InferResponseType<Api["users"]["$get"], 200>["users"][number];

/** Account-wide role: admins manage users and see every workspace. */
export type UserRole = User["role"];

/** Email and password, to sign in or to create the first admin. */
export type Credentials = InferRequestType<Api["auth"]["login"]["$post"]>["json"];

/** What `POST /api/auth/password` accepts. */
export type PasswordChange = InferRequestType<Api["auth"]["password"]["$post"]>["json"];

/** What `POST /api/users` accepts. */
export type NewUser = InferRequestType<Api["users"]["$post"]>["json"];

/** What `PATCH /api/users/:id` accepts: a new role, or a new password set by an admin. */
export type UserUpdate = InferRequestType<Api["users"][":id"]["$patch"]>["json"];

/** A user's access to one workspace. */
export type Member = InferResponseType<WorkspaceRoutes["members"]["$get"], 200>["members"][number];

/** What `POST /api/workspaces/:slug/members` accepts: adds a member by email, or changes a member's role. */
export type MemberChange = InferRequestType<WorkspaceRoutes["members"]["$post"]>["json"];

/** A workspace's public chat widget key, as its owners see it. */
export type WidgetKey = InferResponseType<WorkspaceRoutes["widget-keys"]["$get"], 200>["widgetKeys"][number];

/** What `POST /api/workspaces/:slug/widget-keys` accepts: a name, the allowed origins, a per-visitor rate. */
export type NewWidgetKey = InferRequestType<WorkspaceRoutes["widget-keys"]["$post"]>["json"];

/** A chat bot connected to a workspace, as admins see it: secrets masked, the callback URL to give the platform. */
export type Integration = InferResponseType<
  WorkspaceRoutes["integrations"]["$get"],
  200
>["integrations"][number];

/** The chat platforms a bot can be connected on. */
export type BotPlatform = Integration["platform"];

/** What `POST /api/workspaces/:slug/integrations` accepts: one platform's settings and secrets. */
export type NewIntegration = InferRequestType<WorkspaceRoutes["integrations"]["$post"]>["json"];

/** What `PATCH /api/workspaces/:slug/integrations/:id` accepts: secrets not given stay as stored. */
export type IntegrationUpdate = InferRequestType<WorkspaceRoutes["integrations"][":id"]["$patch"]>["json"];
/** A folder, website or Git source the workspace keeps in sync, with its last sync. */
export type SyncedSource = InferResponseType<WorkspaceRoutes["sources"]["$get"], 200>["sources"][number];

/** The kind of a synced source. */
export type SyncedSourceKind = SyncedSource["kind"];

/** What `POST /api/workspaces/:slug/sources` accepts: the kind with its settings, a name and a schedule. */
export type NewSyncedSource = InferRequestType<WorkspaceRoutes["sources"]["$post"]>["json"];

/** An API key as listed (never the key itself, only its first characters). */
export type ApiKey = InferResponseType<Api["api-keys"]["$get"], 200>["apiKeys"][number];

/** What `POST /api/api-keys` accepts: a name, and optionally the one workspace the key may use. */
export type NewApiKey = InferRequestType<Api["api-keys"]["$post"]>["json"];

/** A created key: its listing and the secret, which the server shows this once. */
export type CreatedApiKey = InferResponseType<Api["api-keys"]["$post"], 201>;

/** One entry of the audit log. */
export type AuditEvent = InferResponseType<Api["audit"]["$get"], 200>["events"][number];

/** The body of every error response; `file` names the uploaded file the error is about (too_large:file). */
export type { ErrorBody } from "@zhiku/server";
