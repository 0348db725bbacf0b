export {
  BOILERPLATE_EDGE_LINES,
  BUILT_IN_BOILERPLATE,
  edgeLineFingerprints,
  isBuiltInBoilerplate,
  lineFingerprint,
  MIN_FINGERPRINT_LENGTH,
  splitLines,
  stripBoilerplate,
} from "./boilerplate.js";
export { normalizeForIndex } from "./normalize.js";
export { segmentWords, segmentWordsOfEach } from "./segment-words.js";
