import { ZhikuError } from "../errors.js";
import type { Embedder } from "../types.js";
import type { ChunkStore } from "./chunk-store.js";
import type { WorkspaceRepository, WorkspaceRow } from "./workspace-repository.js";

/**
 * The name of a workspace's chunk table of a generation: the first is 1, each re-embedding moves to the next, so
 * the old table keeps serving searches until the workspace switches.
 */
export function chunkTableName(workspaceId: string, generation: number): string {
  return `chunks_${workspaceId.replaceAll("-", "")}_${generation}`;
}

/** The generation after the one of `table` (see {@link chunkTableName}). */
export function nextGeneration(table: string): number {
  return Number(/_(\d+)$/.exec(table)?.[1] ?? "1") + 1;
}

/** What {@link createEmbeddingTables} needs. */
export interface EmbeddingTablesSetup {
  workspaces: WorkspaceRepository;
  chunks: ChunkStore;
  /** The embedder whose vectors go in. */
  embedder: Embedder;
}

/** Finds (or creates) the chunk table a workspace's new vectors go into. */
export type EmbeddingTables = (workspaceId: string) => Promise<string>;

/**
 * The workspace's chunk table for the current embedder, created (and the model recorded) on first use.
 * Vectors of another model are never mixed in: a workspace that holds them fails with `conflict:embedding_model`.
 */
export function createEmbeddingTables(setup: EmbeddingTablesSetup): EmbeddingTables {
  const { workspaces, chunks, embedder } = setup;
  return async (workspaceId) => {
    // Read again: another process (the CLI, a worker thread) may have created the table meanwhile.
    const fresh: WorkspaceRow | undefined = workspaces.rowById(workspaceId);
    if (!fresh) throw new ZhikuError("not_found:workspace", `No workspace with id ${workspaceId}`);
    if (fresh.embed_model && fresh.embed_model !== embedder.model) {
      throw new ZhikuError(
        "conflict:embedding_model",
        `Workspace "${fresh.slug}" holds vectors of ${fresh.embed_model} (${fresh.embed_dimension} dimensions) but EMBED_MODEL is ${embedder.model}: run zhiku reembed --workspace ${fresh.slug} to re-embed it, or set EMBED_MODEL=${fresh.embed_model}`,
      );
    }
    const dimension = await embedder.dimension();
    if (fresh.embed_dimension !== null && fresh.embed_dimension !== dimension) {
      throw new ZhikuError(
        "conflict:embedding_model",
        `Workspace "${fresh.slug}" holds ${fresh.embed_dimension}-dimension vectors but ${embedder.model} now returns ${dimension}: run zhiku reembed --workspace ${fresh.slug}`,
      );
    }
    const table = fresh.chunk_table ?? chunkTableName(fresh.id, 1);
    await chunks.ensureTable(table, dimension);
    if (!fresh.chunk_table) {
      workspaces.setEmbedding(fresh.id, { model: embedder.model, dimension, table }, { firstOnly: true });
    }
    return table;
  };
}
