import { useEffect, useState } from "react";
import { localizeError } from "../../i18n/error-messages";
import { useI18n } from "../../i18n/i18n";
import { useApi } from "../../lib/api-context";
import { type ApiError, toApiError } from "../../lib/api-error";
import type { Chunk } from "../../lib/api-types";

/** Shows how a document was split: each chunk with its headings, page, token count and offsets. */
export function ChunkViewer(props: { slug: string; documentId: string; name: string }) {
  const { t } = useI18n();
  const api = useApi();
  const [chunks, setChunks] = useState<Chunk[] | null>(null);
  const [error, setError] = useState<ApiError | null>(null);

  useEffect(() => {
    let live = true;
    api
      .listChunks(props.slug, props.documentId)
      .then((result) => live && setChunks(result))
      .catch((caught: unknown) => live && setError(toApiError(caught)));
    return () => {
      live = false;
    };
  }, [api, props.slug, props.documentId]);

  return (
    <section className="chunk-viewer" aria-label={t("chunks.title", { name: props.name })}>
      {error && (
        <p className="inline-error" role="alert">
          {localizeError({ error, t })}
        </p>
      )}
      {!error && chunks === null && <p className="muted">{t("chunks.loading")}</p>}
      {chunks?.length === 0 && <p className="muted">{t("chunks.empty")}</p>}
      <ol>
        {chunks?.map((chunk) => (
          <li key={chunk.chunkId} className="chunk">
            <p className="chunk-meta">
              {t("chunks.meta", {
                index: chunk.index,
                tokens: chunk.tokens,
                start: chunk.start,
                end: chunk.end,
              })}
              {chunk.page ? ` · ${t("chunks.page", { page: chunk.page })}` : ""}
            </p>
            {chunk.headings.length > 0 && <p className="heading-path">{chunk.headings.join(" › ")}</p>}
            <p className="chunk-text">{chunk.text}</p>
          </li>
        ))}
      </ol>
    </section>
  );
}
