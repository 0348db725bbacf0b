/** How a chat answers: `query` only from the workspace's documents, `chat` may also answer generally. */
export type ChatMode = "chat" | "query";

/** A passage given to the model, as sent to the client in the `sources` event and stored with the answer. */
export type ChatSource = {
  /** The number the answer cites it by, `[index]`, from 1. */
  index: number;
  documentId: string;
  documentName: string;
  chunkId: string;
  text: string;
  page: number | null;
  /** Retrieval score, higher is better (see the ingest package's `SearchResult.score`); for hybrid search the fused rank score. */
  score: number;
  /**
   * Cosine similarity of the passage to the question (0..1), or null when it was found by full text only. Absent in
   * sources stored before it was added.
   */
  relevance?: number | null;
  headings: string[];
  /** Offsets of the passage in the document text. */
  start: number;
  end: number;
};

/** One earlier turn of a conversation. */
export interface HistoryMessage {
  role: "user" | "assistant";
  content: string;
}

/** A message as sent to the Ollama chat API. */
export interface PromptMessage {
  role: "system" | "user" | "assistant";
  content: string;
}
