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
export { normalizeForIndex } from "./normalize.js";
export { segmentWords, segmentWordsOfEach } from "./segment-words.js";
