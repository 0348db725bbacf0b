export { type CheckOllamaOptions, checkOllama, type OllamaStatus } from "./check-ollama.js";
export { createOllamaEmbedder, type OllamaEmbedderOptions } from "./ollama-embedder.js";
export { isConnectionError, isModelMissingMessage } from "./ollama-errors.js";
