import type { MessageKey } from "../../i18n/en";
import { localizeError } from "../../i18n/error-messages";
import { type Translate, useI18n } from "../../i18n/i18n";
import type { DocumentProgress } from "../../lib/api-types";

/**
 * Where in 0..100 each stage starts: embedding is the long part, so it gets most of the bar; OCR, when a document
 * has it, moves from 5 to 15 page by page.
 */
const stageStart: Record<string, number> = { parsing: 5, ocr: 5, chunking: 15, embedding: 20, storing: 95 };

/** Overall percentage of a document's ingestion, or null when it cannot be known (queued, failed). */
export function progressPercent(progress: Omit<DocumentProgress, "id" | "name">): number | null {
  if (progress.status === "ready") return 100;
  if (progress.status !== "processing") return null;
  const stage = progress.stage ?? "parsing";
  if (stage === "embedding" && progress.total) {
    const done = Math.min(progress.done ?? 0, progress.total);
    return Math.round(20 + (75 * done) / progress.total);
  }
  if (stage === "ocr" && progress.page && progress.pages) {
    const before = Math.min(progress.page - 1, progress.pages);
    return Math.round(5 + (10 * before) / progress.pages);
  }
  return stageStart[stage] ?? 5;
}

/**
 * Human text for a document's state: "OCR page 2/5", "Embedding 3/10", "Ready", "Failed: reason". The reason is said in the
 * interface language when the catalog knows its code (naming the document), else it is the server's message.
 */
export function progressText(
  progress: Omit<DocumentProgress, "id" | "name"> & { name?: string },
  t: Translate,
): string {
  if (progress.status === "failed") {
    if (!progress.error) return t("status.failed");
    const reason = localizeError({
      error: { code: progress.errorCode, message: progress.error },
      t,
      name: progress.name,
    });
    return t("status.failedReason", { reason });
  }
  if (progress.status === "processing" && progress.stage) {
    if (progress.stage === "embedding" && progress.total) {
      return t("stage.embedding", { done: progress.done ?? 0, total: progress.total });
    }
    if (progress.stage === "ocr" && progress.page && progress.pages) {
      return t("stage.ocr", { page: progress.page, pages: progress.pages });
    }
    const key = `stage.${progress.stage}` as MessageKey;
    return progress.stage in stageStart ? t(key) : t("status.processing");
  }
  return t(`status.${progress.status}`);
}

/** One document's progress bar with its status in words; the bar is indeterminate while queued. */
export function UploadProgress(props: { progress: DocumentProgress }) {
  const { t } = useI18n();
  const { progress } = props;
  const percent = progressPercent(progress);
  const text = progressText(progress, t);
  return (
    <div className={`upload-progress status-${progress.status}`}>
      {progress.status !== "failed" && (
        <progress
          aria-label={t("progress.label", { name: progress.name })}
          aria-valuetext={text}
          max={100}
          {...(percent === null ? {} : { value: percent })}
        />
      )}
      <span className="progress-text" role={progress.status === "failed" ? "alert" : undefined}>
        {text}
      </span>
    </div>
  );
}
