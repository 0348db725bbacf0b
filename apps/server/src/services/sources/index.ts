export { SourceService, type SourceServiceOptions } from "./source-service.js";
export { SourceStore } from "./source-store.js";
export * from "./source-types.js";
