import type { RerankerWatch } from "@zhiku/ingest";
import type { Logger } from "../logger.js";

/**
 * Logs the reranker's outages for the operator: one warning when it stops answering (with the first failure's
 * reason), one note when it answers again. Searches in between keep the fused order and say so in their `rerank`
 * summary, so the log need not repeat it per query.
 */
export function rerankerLog(logger: Logger, reranker: { url: string; model: string }): RerankerWatch {
  return {
    onDown: (reason) =>
      logger.warn(
        { reranker: reranker.url, model: reranker.model, reason },
        "The reranker is not answering: search and chat keep the fused order until it does",
      ),
    onUp: () =>
      logger.info(
        { reranker: reranker.url, model: reranker.model },
        "The reranker answers again: search and chat are reranked",
      ),
  };
}
