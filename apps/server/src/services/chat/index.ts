export {
  type ChatAnswer,
  type ChatEvent,
  type ChatRequest,
  type ChatService,
  type ChatServiceOptions,
  type ChatUsage,
  createChatService,
  defaultTopK,
  type FinishReason,
  noPassagesAnswer,
  type SearchFunction,
} from "./chat-service.js";
export { type ChatSource, chatSourceSchema } from "./chat-source.js";
export {
  type BuildPromptOptions,
  type BuiltPrompt,
  buildPrompt,
  buildSystemPrompt,
  formatPassage,
} from "./cite/index.js";
export {
  type ContextLengthCache,
  contextLengthFromModelInfo,
  createContextLengthCache,
  fallbackContextLength,
} from "./context-length.js";
export { detectLanguage, type QuestionLanguage } from "./language.js";
export {
  createOllamaClientFactory,
  type OllamaClientFactory,
  type OllamaClientFactoryOptions,
} from "./ollama-client.js";
export { isAbortError, toOllamaError } from "./ollama-error.js";
export { cleanRewrite, type RewriteQueryOptions, rewriteQuery } from "./rewrite-query.js";
export {
  createThreadStore,
  type FeedbackRating,
  type MessageRecord,
  type SaveExchangeOptions,
  type ThreadRecord,
  type ThreadStore,
  titleFromQuestion,
} from "./thread-store.js";
export { estimateTokens } from "./tokens.js";
export type { ChatMode, HistoryMessage, PromptMessage } from "./types.js";
