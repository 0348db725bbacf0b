import { describe, expect, it } from "vitest";
import { ZhikuError } from "../errors.js";
import type { Chunk, Embedder } from "../types.js";
import { createEmbedStep } from "./embed-step.js";
import type { IngestProgress } from "./ingest-types.js";
import { draftOf } from "./test-support.js";

const chunk = (index: number): Chunk => ({
  index,
  text: `t${index}`,
  start: 0,
  end: 2,
  headings: [],
  tokens: 1,
});

function countingEmbedder(): Embedder & { texts: string[][] } {
  const texts: string[][] = [];
  return {
    model: "m",
    texts,
    dimension: async () => 2,
    async embed(batch, options) {
      texts.push(batch);
      options?.onProgress?.(batch.length);
      return batch.map((_, position) => [position, 1]);
    },
  };
}

describe("embed step", () => {
  it("embeds the index texts in order into the workspace's table, reporting progress", async () => {
    const embedder = countingEmbedder();
    const tables: string[] = [];
    const step = createEmbedStep({
      embedder,
      embeddingTable: async (workspaceId) => {
        tables.push(workspaceId);
        return "chunks_w_1";
      },
    });
    const progress: IngestProgress[] = [];
    const draft = await step.run(
      draftOf("", {
        indexed: [
          { chunk: chunk(0), indexText: "a" },
          { chunk: chunk(2), indexText: "c" },
        ],
      }),
      { onProgress: (event) => progress.push(event) },
    );
    expect(tables).toEqual(["w"]);
    expect(embedder.texts).toEqual([["a", "c"]]);
    expect(draft).toMatchObject({
      table: "chunks_w_1",
      vectors: [
        [0, 1],
        [1, 1],
      ],
    });
    expect(progress).toEqual([
      { stage: "embedding", done: 0, total: 2 },
      { stage: "embedding", done: 2, total: 2 },
    ]);
  });

  it("embeds nothing when the workspace holds vectors of another model", async () => {
    const embedder = countingEmbedder();
    const step = createEmbedStep({
      embedder,
      embeddingTable: async () => {
        throw new ZhikuError("conflict:embedding_model", "holds vectors of another model");
      },
    });
    await expect(
      step.run(draftOf("", { indexed: [{ chunk: chunk(0), indexText: "a" }] }), {}),
    ).rejects.toMatchObject({ code: "conflict:embedding_model" });
    expect(embedder.texts).toEqual([]);
  });
});
