export { createOllamaEmbedder, type OllamaEmbedderOptions } from "./ollama-embedder.js";
export { isConnectionError, isModelMissingMessage } from "./ollama-errors.js";
