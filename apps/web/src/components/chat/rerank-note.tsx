import { useI18n } from "../../i18n/i18n";
import type { RerankSummary } from "../../lib/api-types";

/**
 * A line under an answer's sources when a reranker is configured but did not order them (it failed or was too
 * slow): the sources are then in search order. The server's reason is the tooltip. Nothing otherwise.
 */
export function RerankNote(props: { rerank: RerankSummary | undefined }) {
  const { t } = useI18n();
  const { rerank } = props;
  if (!rerank || rerank.applied || !rerank.fallbackReason) return null;
  return (
    <p className="muted rerank-note" title={rerank.fallbackReason}>
      {t("chat.rerankFallback")}
    </p>
  );
}
