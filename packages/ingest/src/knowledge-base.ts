import type { ChunkOptions, DocumentType } from "./types.js";

/** How a search finds passages: vector and full text fused (default), or one of them alone. */
export type SearchMode = "hybrid" | "vector" | "fulltext";

/** Per-workspace settings; every field optional, defaults applied by the server. */
export interface WorkspaceSettings {
  /** Ollama chat model for this workspace, overriding `CHAT_MODEL`. */
  chatModel?: string;
  /** Passages retrieved per question. */
  topK?: number;
  /** Default search mode for chat retrieval. */
  mode?: SearchMode;
  /** Extra system prompt text. */
  systemPrompt?: string;
  /** Sampling temperature for chat. */
  temperature?: number;
  /** Minimum relevance (0..1) a passage needs to be used; below it query mode refuses. */
  relevanceCutoff?: number;
}

/** A workspace: a named collection of documents with one embedding model. */
export interface WorkspaceRecord {
  id: string;
  slug: string;
  name: string;
  /** Embedding model whose vectors the workspace holds; null until the first document is embedded. */
  embedModel: string | null;
  /** Vector length of `embedModel`; null until the first document is embedded. */
  embedDimension: number | null;
  settings: WorkspaceSettings;
  createdAt: string;
  updatedAt: string;
}

/** Lifecycle of a document: the server queues uploads; the CLI goes straight to processing. */
export type DocumentStatus = "queued" | "processing" | "ready" | "failed";

/** A document of a workspace, identified by workspace + name; its version by its content hash. */
export interface DocumentRecord {
  id: string;
  workspaceId: string;
  /** Source name: file name, path relative to an ingested folder, or URL. Unique in a workspace. */
  name: string;
  type: DocumentType | null;
  /** Size of the original file in bytes. */
  bytes: number;
  /** SHA-256 (hex) of the original bytes of the version whose chunks are stored; null before the first. */
  contentHash: string | null;
  status: DocumentStatus;
  /** Why the last attempt failed, for `failed` documents (and for a ready one whose update failed). */
  error: string | null;
  /** Number of chunks stored for the current version. */
  chunks: number;
  title: string | null;
  byline: string | null;
  pages: number | null;
  createdAt: string;
  updatedAt: string;
}

/** A stored chunk as listed for a document (the chunk viewer). */
export interface ChunkRecord {
  chunkId: string;
  documentId: string;
  index: number;
  text: string;
  start: number;
  end: number;
  headings: string[];
  page: number | null;
  tokens: number;
}

/** One search hit, best first. These are the fields of `zhiku search --json` and the search API. */
export interface SearchResult {
  documentName: string;
  documentId: string;
  chunkId: string;
  text: string;
  /** Higher is better; for hybrid the fused RRF score, for vector `1 - distance`, for fulltext BM25. */
  score: number;
  page: number | null;
  headings: string[];
  /** Offsets of the passage in the document text. */
  start: number;
  end: number;
}

/** Stages reported while a document is ingested. */
export type IngestProgress =
  | { stage: "parsing" }
  | { stage: "chunking" }
  | { stage: "embedding"; done: number; total: number }
  | { stage: "storing" };

/** Result of ingesting one file. */
export interface IngestOutcome {
  /** `skipped` when the stored version already has this content. */
  status: "ingested" | "skipped";
  document: DocumentRecord;
}

/** Options for {@link KnowledgeBase.ingest}. */
export interface IngestOptions {
  /** Workspace slug; created with this slug as its name when missing. */
  workspace: string;
  /** Source name of the document (unique per workspace). */
  name: string;
  /** The original file's bytes. */
  bytes: Uint8Array;
  /** Largest accepted file, in bytes; larger ones fail with `too_large:file`. */
  maxBytes?: number;
  /** Chunk size options; defaults from the knowledge base. */
  chunkOptions?: ChunkOptions;
  /** Reports progress through the stages. */
  onProgress?: (progress: IngestProgress) => void;
  /** Cancels the ingestion; nothing of a cancelled version is stored. */
  signal?: AbortSignal;
}
