export { anisotropicEmbedding, commonDirection, commonShare } from "./anisotropic-embedding.js";
export {
  embeddingModeOf,
  embedWithMode,
  STAND_IN_EMBEDDING_MODES,
  type StandInEmbeddingMode,
} from "./embedding-mode.js";
export { lexicalEmbedding, lexicalFeatures } from "./lexical-embedding.js";
export type {
  StandInFailures,
  StandInMutableOptions,
  StandInOllamaOptions,
  StandInStatusFailure,
} from "./options.js";
export { buildReply, type StandInMessage, type StandInReply } from "./reply.js";
export { relevanceScore, type StandInRerankResult } from "./rerank.js";
export {
  STAND_IN_OLLAMA_VERSION,
  type StandInOllama,
  type StandInRequest,
  startStandInOllama,
} from "./server.js";
