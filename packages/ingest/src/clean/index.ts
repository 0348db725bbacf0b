export {
  BOILERPLATE_EDGE_LINES,
  BUILT_IN_BOILERPLATE,
  boilerplateRanges,
  edgeLineFingerprints,
  isBuiltInBoilerplate,
  lineFingerprint,
  MIN_FINGERPRINT_LENGTH,
  splitLines,
  type TextRange,
  withoutRanges,
} from "./boilerplate.js";
export { foldToSimplified } from "./fold-to-simplified.js";
export { fullTextClauses, PAIR_WEIGHT } from "./full-text-query.js";
export { normalizeForIndex } from "./normalize.js";
export {
  hanPairs,
  indexWordsOfEach,
  PAIR_MARK,
  preloadWordSegmenter,
  type QueryTerms,
  queryTerms,
  segmentWords,
  segmentWordsOfEach,
} from "./segment-words.js";
