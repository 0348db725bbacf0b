export { lexicalEmbedding, lexicalFeatures } from "./lexical-embedding.js";
export { buildReply, type StandInMessage, type StandInReply } from "./reply.js";
export {
  STAND_IN_OLLAMA_VERSION,
  type StandInFailures,
  type StandInOllama,
  type StandInOllamaOptions,
  type StandInRequest,
  type StandInStatusFailure,
  startStandInOllama,
} from "./server.js";
