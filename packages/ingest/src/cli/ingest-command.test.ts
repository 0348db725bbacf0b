import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type KnowledgeBase, openKnowledgeBase } from "../knowledge-base.js";
import type { Embedder } from "../types.js";
import { runIngest } from "./ingest-command.js";

/** Each text's characters counted into 16 buckets: enough for the store. */
function bucketVector(text: string): number[] {
  const vector = new Array<number>(16).fill(0);
  for (const character of text) vector[character.codePointAt(0)! % 16]! += 1;
  const norm = Math.hypot(...vector) || 1;
  return vector.map((value) => value / norm);
}

describe("zhiku ingest of a folder with one large file", () => {
  let directory: string;
  let knowledgeBase: KnowledgeBase;
  /** Resolves the embedding of the large file, which waits for it. */
  let releaseLarge: (by: "small files ready" | "timeout") => void = () => {};

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-ingest-command-"));
    const released = new Promise<string>((resolve) => {
      releaseLarge = resolve;
    });
    // The large file's chunks are the only ones holding LARGEDOC: their embedding waits until it is released.
    const embedder: Embedder = {
      model: "bucket-embed",
      async dimension() {
        return 16;
      },
      async embed(texts) {
        if (texts.some((text) => text.toLowerCase().includes("largedoc"))) await released;
        return texts.map(bucketVector);
      },
    };
    knowledgeBase = await openKnowledgeBase({ dataDir: join(directory, "data"), embedder });
  });

  afterEach(async () => {
    releaseLarge("timeout");
    await knowledgeBase.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("stores the small files while the large one is still being embedded", async () => {
    const folder = join(directory, "docs");
    await mkdir(folder);
    // One line of 2 MB, sorted first, so it would share the first batch with every small file.
    await writeFile(join(folder, "a-large.txt"), `LARGEDOC ${"分片扩容 quota shard ".repeat(90_000)}`);
    for (let index = 0; index < 17; index++)
      await writeFile(
        join(folder, `b-small-${index}.md`),
        `# 说明 ${index}\n\n错误码 ERR-${4300 + index} 表示分片 ${index} 的配额用完。\n`,
      );
    let releasedBy: string | undefined;
    // The large file is held until every small one is ready, or for at most 90 s: long enough for a loaded machine
    // to parse and store 17 small files, and a deadline only so that a regression fails instead of hanging.
    const watcher = (async () => {
      const until = Date.now() + 90_000;
      let smallReady = 0;
      while (Date.now() < until && smallReady < 17) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        // The workspace does not exist until the first file is staged.
        if (!knowledgeBase.getWorkspace("w")) continue;
        smallReady = knowledgeBase
          .listDocuments("w")
          .filter((document) => document.name.startsWith("b-small-") && document.status === "ready").length;
      }
      releasedBy = smallReady === 17 ? "small files ready" : "timeout";
      releaseLarge(releasedBy as "small files ready");
    })();
    const written: string[] = [];
    const output = new Writable({
      write(chunk, _encoding, done) {
        written.push(String(chunk));
        done();
      },
    });
    const summary = await runIngest({
      knowledgeBase,
      workspace: "w",
      paths: [folder],
      maxBytes: 10 * 1024 * 1024,
      output,
    });
    await watcher;
    expect(releasedBy).toBe("small files ready");
    expect(summary).toMatchObject({ ingested: 18, skipped: 0, failed: [] });
    const large = knowledgeBase.listDocuments("w").find((document) => document.name === "a-large.txt");
    expect(large).toMatchObject({ status: "ready" });
    expect(large!.chunks).toBeGreaterThan(100);
  }, 180_000);
});
