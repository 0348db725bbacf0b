import { ZhikuError } from "../errors.js";
import type { Embedder } from "../types.js";
import type { ChunkStore } from "./chunk-store.js";
import { chunkTableName, nextGeneration } from "./embedding-table.js";
import type { WorkspaceRepository } from "./workspace-repository.js";

/** Options for {@link reembedWorkspace}. */
export interface ReembedOptions {
  workspaces: WorkspaceRepository;
  chunks: ChunkStore;
  /** The embedder whose vectors replace the old ones. */
  embedder: Embedder;
  /** Workspace slug. */
  workspace: string;
  /** Reports chunks re-embedded so far out of all of them. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Re-embeds every chunk of a workspace with the current embedder into a new table, then switches the workspace to
 * it in one SQLite update and drops the old table: searches see the old vectors or the new ones, never a mix.
 * @throws ZhikuError `invalid:input` when the workspace has no chunks, `not_found:workspace` when it is missing.
 */
export async function reembedWorkspace(options: ReembedOptions): Promise<{ chunks: number }> {
  const { workspaces, chunks, embedder, workspace } = options;
  const row = workspaces.requireRow(workspace);
  if (!row.chunk_table)
    throw new ZhikuError("invalid:input", `Workspace "${workspace}" has no chunks to re-embed`);
  const total = await chunks.countRows(row.chunk_table);
  const dimension = await embedder.dimension();
  const table = chunkTableName(row.id, nextGeneration(row.chunk_table));
  await chunks.dropTable(table);
  await chunks.ensureTable(table, dimension);
  let done = 0;
  try {
    await chunks.scan(row.chunk_table, async (page) => {
      const vectors = await embedder.embed(page.map((chunk) => chunk.indexText));
      await chunks.appendChunks(
        table,
        page.map((chunk, position) => ({ ...chunk, vector: vectors[position]! })),
      );
      done += page.length;
      options.onProgress?.(done, total);
    });
    await chunks.maintain(table, { force: true });
  } catch (error) {
    await chunks.dropTable(table);
    throw error;
  }
  workspaces.setEmbedding(row.id, { model: embedder.model, dimension, table });
  await chunks.dropTable(row.chunk_table);
  return { chunks: done };
}
