import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isZhikuError } from "../errors.js";
import { buildDecoyZip, deflatedZeros } from "../parse/test-support.js";
import { prepareDocument } from "../pipeline/prepare-document.js";
import { createParsePool, type ParsePool } from "./parse-pool.js";

/** The compiled parse worker (`npx tsc -b` first, as for every test). */
const realWorker = fileURLToPath(new URL("../../dist/parse-worker/parse-worker.js", import.meta.url));

/**
 * A worker speaking the parse protocol that parses nothing. By file name: `bomb.md` allocates until its heap limit
 * stops it, `hang.md` spins forever, `large.md` holds its thread for 1.5 s; anything else answers after 50 ms.
 */
const fakeWorker = `
import { parentPort, threadId } from "node:worker_threads";
parentPort.on("message", (request) => {
  parentPort.postMessage({ type: "progress", id: request.id, progress: { stage: "parsing" } });
  if (request.name === "bomb.md") {
    const held = [];
    const grow = () => {
      for (let index = 0; index < 50; index++) held.push(new Array(100_000).fill(Math.random()));
      setImmediate(grow);
    };
    return grow();
  }
  if (request.name === "hang.md") for (;;);
  const answer = () =>
    parentPort.postMessage({
      type: "done",
      id: request.id,
      prepared: { parsed: { type: "text", text: request.name, sections: [] }, chunks: [], threadId },
    });
  if (request.name === "large.md") {
    const until = Date.now() + 1_500;
    while (Date.now() < until);
    return answer();
  }
  setTimeout(answer, 50);
});
parentPort.postMessage({ type: "ready" });
`;

const encode = (text: string) => new TextEncoder().encode(text);

describe("parse pool", () => {
  let directory: string;
  let pool: ParsePool | undefined;

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), "zhiku-parse-pool-"));
    await writeFile(join(directory, "fake-worker.mjs"), fakeWorker);
  });

  afterEach(async () => {
    await pool?.close();
    pool = undefined;
    await rm(directory, { recursive: true, force: true });
  });

  const fakePool = (options: { stallMs?: number; largeFileBytes?: number } = {}) =>
    createParsePool({ heapMb: 32, workerPath: join(directory, "fake-worker.mjs"), ...options });
  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => undefined,
      (error: unknown) => error,
    );

  it("parses and chunks in a worker exactly as in this thread, reporting parsing then chunking", async () => {
    pool = createParsePool({ workerPath: realWorker });
    const bytes = encode(
      `# 扩容\n\n${"分片扩容前先备份数据，再运行 zk-admin shard 3 --grow。\n\n".repeat(40)}`,
    );
    const stages: string[] = [];
    const prepared = await pool.prepare({
      bytes,
      name: "scale.md",
      onProgress: (progress) => stages.push(progress.stage),
    });
    expect(prepared).toEqual(await prepareDocument({ bytes, name: "scale.md" }));
    expect(prepared.chunks.length).toBeGreaterThan(1);
    expect(stages).toEqual(["parsing", "chunking"]);
  });

  it("hands back a parser's error with its code: a crafted DOCX still fails alone with too_large:archive", async () => {
    pool = createParsePool({ workerPath: realWorker });
    const contentTypes = { name: "[Content_Types].xml", data: encode("<Types/>") };
    const crafted = buildDecoyZip(
      [contentTypes, { name: "word/document.xml", data: encode("<w:document/>") }],
      [contentTypes, { name: "word/document.xml", deflated: await deflatedZeros(300 * 1024 * 1024) }],
    );
    const [error, after] = await Promise.all([
      failure(pool.prepare({ bytes: crafted, name: "crafted.docx" })),
      pool.prepare({ bytes: encode("# 配额\n\n磁盘配额按分片计算。\n"), name: "after.md" }),
    ]);
    expect(isZhikuError(error, "too_large:archive")).toBe(true);
    expect((error as Error).message).toContain('"crafted.docx"');
    expect(after.parsed.text).toContain("磁盘配额");
  });

  it("a file that exhausts a worker alone fails for good with too_large:memory, and the next file works", async () => {
    pool = fakePool();
    const error = await failure(pool.prepare({ bytes: encode("x"), name: "bomb.md" }));
    expect(isZhikuError(error, "too_large:memory")).toBe(true);
    expect((error as { retryable: boolean }).retryable).toBe(false);
    expect((error as Error).message).toMatch(/"bomb\.md".*more than 32 MB.*INGEST_WORKER_HEAP_MB/);
    expect((await pool.prepare({ bytes: encode("x"), name: "after.md" })).parsed.text).toBe("after.md");
  });

  it("the files of a worker that ran out of memory are parsed again each alone: only the runaway one fails", async () => {
    pool = fakePool();
    const [bomb, innocent] = await Promise.all([
      failure(pool.prepare({ bytes: encode("x"), name: "bomb.md" })),
      pool.prepare({ bytes: encode("x"), name: "innocent.md" }),
    ]);
    expect(isZhikuError(bomb, "too_large:memory")).toBe(true);
    expect(innocent.parsed.text).toBe("innocent.md");
  });

  it("stops a worker that makes no progress: the hung file fails retryable naming INGEST_STALL_TIMEOUT_S, the one beside it is parsed again", async () => {
    pool = fakePool({ stallMs: 300 });
    const started = Date.now();
    const [hung, beside] = await Promise.all([
      failure(pool.prepare({ bytes: encode("x"), name: "hang.md" })),
      pool.prepare({ bytes: encode("x"), name: "beside.md" }),
    ]);
    expect(isZhikuError(hung, "unavailable:worker")).toBe(true);
    expect((hung as { retryable: boolean }).retryable).toBe(true);
    expect((hung as Error).message).toMatch(/"hang\.md".*no progress.*INGEST_STALL_TIMEOUT_S/);
    expect(beside.parsed.text).toBe("beside.md");
    // Stopped by the stall timeout, not by anything slower.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it("does not count a worker's start-up as a stall: a file waits for a slow-starting worker and is parsed", async () => {
    // A machine under load can take longer to start a worker than the stall timeout allows a parse to be silent.
    await writeFile(
      join(directory, "slow-start-worker.mjs"),
      `const until = Date.now() + 800;\nwhile (Date.now() < until);\n${fakeWorker}`,
    );
    pool = createParsePool({
      heapMb: 32,
      workerPath: join(directory, "slow-start-worker.mjs"),
      stallMs: 200,
    });
    expect((await pool.prepare({ bytes: encode("x"), name: "patient.md" })).parsed.text).toBe("patient.md");
  });

  it("parses a large file in a worker of its own: the small files beside it finish first", async () => {
    pool = fakePool({ largeFileBytes: 1024 });
    const finished: string[] = [];
    const prepare = (name: string, bytes: number) =>
      pool!.prepare({ bytes: new Uint8Array(bytes), name }).then(() => finished.push(name));
    const large = prepare("large.md", 4096);
    // Once the large file holds its thread, the small ones arrive.
    await new Promise((resolve) => setTimeout(resolve, 300));
    const small = Array.from({ length: 17 }, (_, index) => prepare(`small-${index}.md`, 10));
    await Promise.all([large, ...small]);
    expect(finished.at(-1)).toBe("large.md");
    expect(finished).toHaveLength(18);
  });

  it("a cancelled parse fails with the signal's reason at once", async () => {
    pool = fakePool({ stallMs: 60_000 });
    const controller = new AbortController();
    const pending = failure(pool.prepare({ bytes: encode("x"), name: "hang.md", signal: controller.signal }));
    controller.abort(new Error("cancelled by request"));
    expect(((await pending) as Error).message).toBe("cancelled by request");
  });
});
