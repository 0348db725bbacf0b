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

/** A workspace as listed by the server. */
export interface Workspace {
  slug: string;
  name: string;
  settings: WorkspaceSettings;
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
  score: number;
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
}

/** The body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string };
}
