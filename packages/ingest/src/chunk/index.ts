export {
  type Range,
  splitClauses,
  splitLines,
  splitParagraphs,
  splitSentences,
  splitWords,
} from "./boundaries.js";
export { chunkDocument, DEFAULT_CHUNK_OVERLAP, DEFAULT_CHUNK_SIZE } from "./chunk-document.js";
export { countTokens, isWhitespaceCode } from "./count-tokens.js";
