export { instrumentChatService } from "./instrument-chat.js";
export {
  type ChatRecord,
  createServerMetrics,
  type HttpRequestRecord,
  type IngestionOutcome,
  type ServerMetrics,
  type ServerMetricsOptions,
} from "./server-metrics.js";
