import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import type { Embedder } from "../types.js";

/** Each text's letters and digits counted into 32 buckets: enough for the store, which is what is tested here. */
const bucketEmbedder: Embedder = {
  model: "bucket-embed",
  async dimension() {
    return 32;
  },
  async embed(texts) {
    return texts.map((text) => {
      const vector = new Array<number>(32).fill(0);
      for (const character of text) vector[character.codePointAt(0)! % 32]! += 1;
      const norm = Math.hypot(...vector) || 1;
      return vector.map((value) => value / norm);
    });
  },
};

const encode = (text: string) => new TextEncoder().encode(text);

describe("boilerplate filtering in a knowledge base", () => {
  let dataDir: string;
  let knowledgeBase: KnowledgeBase;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-boilerplate-"));
    knowledgeBase = await openKnowledgeBase({ dataDir, embedder: bucketEmbedder });
  });

  afterEach(async () => {
    await knowledgeBase.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("keeps lines that differ only in codes and numbers: each error page is indexed and found", async () => {
    for (let shard = 1; shard <= 8; shard += 1) {
      const outcome = await knowledgeBase.ingest({
        workspace: "w",
        name: `err-430${shard}.md`,
        bytes: encode(
          `ERR-430${shard} means the disk quota of shard ${shard} was exceeded; run zk-admin shard ${shard} --grow.\n`,
        ),
      });
      expect(outcome.document.status).toBe("ready");
      expect(outcome.document.chunks, `err-430${shard}.md`).toBeGreaterThan(0);
    }
    const { results } = await knowledgeBase.search({ workspace: "w", query: "ERR-4307", mode: "fulltext" });
    // The best-scoring hit (full-text hits of chunks not yet folded into the index come back in no set order).
    const best = results.reduce((top, result) => (result.score > top.score ? result : top));
    expect(best.documentName).toBe("err-4307.md");
    expect(best.text).toContain("shard 7");
  });

  it("never leaves a document ready with no chunks: text that is all boilerplate is kept", async () => {
    const footer = "本站所有文章均为原创，转载请联系编辑部获得授权许可";
    for (const index of [0, 1, 2]) {
      await knowledgeBase.ingest({
        workspace: "w",
        name: `${index}.md`,
        bytes: encode(`# 第${"一二三"[index]}篇\n\n正文。\n\n${footer}\n`),
      });
    }
    // Only the repeated footer, and only built-in noise: cleaning would leave nothing.
    for (const [name, text] of [
      ["footer-only.md", `${footer}\n`],
      ["notice-only.md", "版权所有：本站保留一切权利。\n"],
    ] as const) {
      const outcome = await knowledgeBase.ingest({ workspace: "w", name, bytes: encode(text) });
      expect(outcome.document.status, name).toBe("ready");
      expect(outcome.document.chunks, name).toBeGreaterThan(0);
    }
  });
});
