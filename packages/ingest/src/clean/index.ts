export {
  BUILT_IN_BOILERPLATE,
  isBuiltInBoilerplate,
  lineFingerprint,
  MIN_FINGERPRINT_LENGTH,
  splitLines,
  stripBoilerplate,
  textFingerprints,
} from "./boilerplate.js";
export { normalizeForIndex } from "./normalize.js";
export { segmentWords } from "./segment-words.js";
