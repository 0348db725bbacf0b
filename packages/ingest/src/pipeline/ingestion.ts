import pLimit from "p-limit";
import { isZhikuError, ZhikuError } from "../errors.js";
import { storedChunkOf } from "../store/chunk-rows.js";
import type { DocumentRepository } from "../store/document-repository.js";
import type { DocumentWriter, StagedDocument } from "../store/document-writer.js";
import { hashBytes } from "../store/file-store.js";
import type { WorkspaceRepository } from "../store/workspace-repository.js";
import type { ChunkOptions, Embedder } from "../types.js";
import { type IngestStep, newDraft, parsedOf } from "./ingest-step.js";
import type { IngestOptions, IngestOutcome } from "./ingest-types.js";
import { DEFAULT_MAX_BYTES } from "./parse-step.js";
import { runSteps } from "./run-steps.js";

/**
 * Documents of a batch staged (parsed, chunked, embedded) at once: with one at a time the CPU idles while a
 * document waits on Ollama, and Ollama waits while the next one is parsed.
 */
const STAGE_CONCURRENCY = 4;

/** One file to ingest; `documentId` names the row the server queued it as. */
export type IngestItem = IngestOptions & { documentId?: string };

/** Ingests files: runs each through the steps, then hands them to the document writer in one write. */
export interface Ingestion {
  /** See `KnowledgeBase.ingestBatch`: results in the order of `items`, each file failing alone. */
  ingestBatch(items: IngestItem[]): Promise<(IngestOutcome | { error: unknown })[]>;
}

/** What {@link createIngestion} needs. */
export interface IngestionSetup {
  /** The pipeline, in order (see `defaultSteps`); it must end with vectors for the indexed chunks. */
  steps: readonly IngestStep[];
  workspaces: WorkspaceRepository;
  documents: DocumentRepository;
  writer: DocumentWriter;
  /** Its model decides whether stored chunks are still current. */
  embedder: Embedder;
  /** Default chunk sizes. */
  chunkOptions?: ChunkOptions;
}

/** The {@link Ingestion} of one knowledge base. */
export function createIngestion(setup: IngestionSetup): Ingestion {
  const { steps, workspaces, documents, writer, embedder } = setup;

  /** Everything up to the vectors: no chunk is written yet. The row is marked `processing`. */
  async function stageDocument(options: IngestItem): Promise<StagedDocument | IngestOutcome> {
    const workspaceRecord =
      workspaces.get(options.workspace) ??
      workspaces.create({ name: options.workspace, slug: options.workspace });
    const workspace = workspaces.requireRow(workspaceRecord.slug);
    const contentHash = hashBytes(options.bytes);
    const existing = options.documentId
      ? documents.findRow(workspace.id, options.documentId)
      : documents.findRowByName(workspace.id, options.name);
    if (options.documentId && !existing) {
      throw new ZhikuError(
        "not_found:document",
        `${options.name}: document ${options.documentId} no longer exists`,
      );
    }
    const sameModel = workspace.embed_model === null || workspace.embed_model === embedder.model;
    if (
      existing &&
      existing.content_hash === contentHash &&
      existing.chunks > 0 &&
      sameModel &&
      workspace.chunk_table
    ) {
      if (existing.status !== "ready" || existing.error) documents.setStatus(existing.id, "ready");
      return { status: "skipped", document: documents.requireById(existing.id) };
    }

    const version = writer.begin({
      existing,
      workspaceId: workspace.id,
      name: options.name,
      bytes: options.bytes,
      contentHash,
      queued: options.documentId !== undefined,
      signal: options.signal,
    });
    try {
      const draft = await runSteps(
        steps,
        newDraft({
          name: options.name,
          bytes: options.bytes,
          workspaceId: workspace.id,
          documentId: version.documentId,
          maxBytes: options.maxBytes ?? DEFAULT_MAX_BYTES,
          chunkOptions: options.chunkOptions ?? setup.chunkOptions,
        }),
        { signal: options.signal, onProgress: options.onProgress },
      );
      if (!draft.table) throw new Error("The pipeline ended without an embed step");
      options.onProgress?.({ stage: "storing" });
      const versionTag = contentHash.slice(0, 12);
      return {
        ...version,
        table: draft.table,
        parsed: parsedOf(draft, "store"),
        fingerprints: [...draft.fingerprints],
        stored: draft.indexed.map(({ chunk, indexText }, position) =>
          storedChunkOf(chunk, {
            chunkId: `${version.documentId}:${versionTag}:${chunk.index}`,
            documentId: version.documentId,
            indexText,
            vector: draft.vectors[position]!,
          }),
        ),
      };
    } catch (error) {
      throw writer.recordFailure(version, error);
    }
  }

  return {
    async ingestBatch(items) {
      const results: (IngestOutcome | { error: unknown } | undefined)[] = new Array(items.length);
      const staged: { position: number; document: StagedDocument }[] = [];
      let table: string | undefined;
      let unreachable: unknown;
      // A few documents at a time: one is parsed while others wait on their embeddings.
      const limit = pLimit(STAGE_CONCURRENCY);
      await Promise.all(
        items.map((options, position) =>
          limit(async () => {
            // Once Ollama is unreachable (after the embedder's retries), the rest fail at once instead of each retrying.
            if (unreachable) {
              results[position] = { error: unreachable };
              return;
            }
            try {
              const result = await stageDocument(options);
              if ("status" in result) results[position] = result;
              else {
                staged.push({ position, document: result });
                table = result.table;
              }
            } catch (error) {
              results[position] = { error };
              if (isZhikuError(error, "unavailable:ollama")) unreachable = error;
            }
          }),
        ),
      );
      staged.sort((first, second) => first.position - second.position);
      if (table && staged.length > 0) {
        try {
          await writer.write(
            table,
            staged.map((entry) => entry.document),
          );
          for (const { position, document } of staged) {
            results[position] = {
              status: "ingested",
              document: documents.requireById(document.documentId),
              ...(document.parsed.ocr ? { ocr: document.parsed.ocr } : {}),
            };
          }
        } catch (error) {
          for (const { position, document } of staged) {
            results[position] = { error: writer.recordFailure(document, error) };
          }
        }
      }
      return results.map((result) => result ?? { error: new Error("not ingested") });
    },
  };
}
