/** How a chat answers: `query` only from the workspace's documents, `chat` may also answer generally. */
export type ChatMode = "chat" | "query";

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
