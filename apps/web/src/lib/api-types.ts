/**
 * Shapes of the server's JSON, written from the API contract (issue 3) for the parts the client reads.
 * Responses of the typed routes come from the server's `AppType`; these name what components pass around.
 */

/** Search mode for retrieval. */
export type SearchMode = "hybrid" | "vector" | "fulltext";

/** Answer mode: `query` answers only from documents, `chat` may answer generally. */
export type ChatMode = "chat" | "query";

/** Per-workspace settings; every field optional, the server applies defaults. */
export interface WorkspaceSettings {
  chatModel?: string;
  topK?: number;
  mode?: SearchMode;
  systemPrompt?: string;
  temperature?: number;
  relevanceCutoff?: number;
}

/** What a user may do in a workspace: viewer reads and asks, editor also changes documents, owner everything. */
export type WorkspaceRole = "owner" | "editor" | "viewer";

/** A workspace as listed by the server. */
export interface Workspace {
  slug: string;
  name: string;
  settings: WorkspaceSettings;
  /** The signed-in user's role in it (admins: owner); absent from a server without accounts. */
  myRole?: WorkspaceRole;
}

/** Lifecycle of a document. */
export type DocumentStatus = "queued" | "processing" | "ready" | "failed";

/** A document as listed by the server. */
export interface DocumentSummary {
  id: string;
  name: string;
  status: DocumentStatus;
  chunks?: number;
  error?: string | null;
  /** The code of `error` (such as "invalid:encrypted") when the server recorded one. */
  errorCode?: string | null;
  type?: string | null;
  bytes?: number;
}

/** Progress of one document, the data of the `document` event of the workspace event stream. */
export interface DocumentProgress {
  id: string;
  name: string;
  status: DocumentStatus;
  stage?: string;
  done?: number;
  total?: number;
  error?: string | null;
  /** The code of `error` (such as "invalid:encrypted") when the server recorded one. */
  errorCode?: string | null;
  chunks?: number;
}

/** A stored chunk, for the chunk viewer. */
export interface Chunk {
  chunkId: string;
  index: number;
  text: string;
  start: number;
  end: number;
  headings: string[];
  page: number | null;
  tokens: number;
}

/** A passage cited by an answer; `index` is the n of `[n]`. */
export interface Source {
  index: number;
  documentId: string;
  documentName: string;
  chunkId: string;
  text: string;
  page: number | null;
  /** Retrieval score; for hybrid search the fused rank score, a small number that is no relevance. */
  score: number;
  /**
   * Cosine similarity to the question (0..1); null when the passage was a keyword (full-text) match; absent in
   * answers stored by servers from before the field.
   */
  relevance?: number | null;
}

/** A conversation thread. */
export interface Thread {
  id: string;
  title: string;
  createdAt?: string;
  updatedAt?: string;
}

/** A stored message of a thread. */
export interface ThreadMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  sources: Source[];
  /** The rating given to an assistant message. */
  feedback?: "up" | "down" | null;
}

/** The server's health report. */
export interface Health {
  status: "ok" | "degraded";
  ollama: {
    reachable: boolean;
    chatModel: { name: string; available: boolean };
    embedModel: { name: string; available: boolean };
  };
  /** Configured models Ollama does not have, e.g. a mistyped CHAT_MODEL whose download failed. */
  missingModels: string[];
}

/** Account-wide role: admins manage users and see every workspace. */
export type UserRole = "admin" | "member";

/** An account. */
export interface User {
  id: string;
  email: string;
  role: UserRole;
  createdAt: string;
}

/** `GET /api/auth/status`: whether the first admin still has to be created, and who is signed in. */
export interface AuthStatus {
  needsSetup: boolean;
  user: User | null;
}

/** A user's access to one workspace. */
export interface Member {
  userId: string;
  email: string;
  role: WorkspaceRole;
}

/** An API key as listed (never the key itself, only its first characters). */
export interface ApiKey {
  id: string;
  name: string;
  /** The one workspace the key is limited to, or null for all of its owner's workspaces. */
  workspace: string | null;
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
}

/** One entry of the audit log. */
export interface AuditEvent {
  id: string | number;
  at: string;
  actor: { id: string; email: string } | null;
  action: string;
  target: string | null;
  details: unknown;
  ip: string | null;
}

/** The body of every error response. */
export interface ErrorBody {
  /** `file` names the uploaded file the error is about (too_large:file). */
  error: { code: string; message: string; file?: string };
}
