export { createOllamaEmbedder, type OllamaEmbedderOptions } from "./ollama-embedder.js";
