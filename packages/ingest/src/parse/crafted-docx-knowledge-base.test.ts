import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import type { Embedder } from "../types.js";
import { buildDecoyZip, deflatedZeros } from "./test-support.js";

/** Each text's characters counted into 16 buckets: enough for the store, which is what is tested here. */
const bucketEmbedder: Embedder = {
  model: "bucket-embed",
  async dimension() {
    return 16;
  },
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Array<number>(16).fill(0);
      for (const character of text) vector[character.codePointAt(0)! % 16]! += 1;
      const norm = Math.hypot(...vector) || 1;
      return vector.map((value) => value / norm);
    });
  },
};

const encode = (text: string) => new TextEncoder().encode(text);

describe("a crafted DOCX in a knowledge base", () => {
  let dataDir: string;
  let knowledgeBase: KnowledgeBase;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-crafted-docx-"));
    knowledgeBase = await openKnowledgeBase({ dataDir, embedder: bucketEmbedder });
  });

  afterEach(async () => {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("fails alone with too_large:archive: the documents around it are stored and found", async () => {
    const contentTypes = { name: "[Content_Types].xml", data: encode("<Types/>") };
    const crafted = buildDecoyZip(
      [contentTypes, { name: "word/document.xml", data: encode("<w:document/>") }],
      [contentTypes, { name: "word/document.xml", deflated: await deflatedZeros(300 * 1024 * 1024) }],
    );
    await knowledgeBase.ingest({
      workspace: "w",
      name: "before.md",
      bytes: encode("# 扩容\n\n分片扩容前先备份。\n"),
    });
    const error = await knowledgeBase
      .ingest({ workspace: "w", name: "crafted.docx", bytes: crafted })
      .catch((caught: unknown) => caught);
    expect(isZhikuError(error, "too_large:archive")).toBe(true);
    expect((error as Error).message).toContain('"crafted.docx"');
    await knowledgeBase.ingest({
      workspace: "w",
      name: "after.md",
      bytes: encode("# 配额\n\n磁盘配额按分片计算。\n"),
    });
    const names = knowledgeBase.listDocuments("w").map((document) => [document.name, document.status]);
    expect(names.sort()).toEqual([
      ["after.md", "ready"],
      ["before.md", "ready"],
    ]);
    const { results } = await knowledgeBase.search({ workspace: "w", query: "分片", mode: "fulltext" });
    expect(results.map((result) => result.documentName).sort()).toEqual(["after.md", "before.md"]);
  });
});
