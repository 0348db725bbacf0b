import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFileStore, hashBytes } from "./file-store.js";

describe("createFileStore", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "zhiku-file-store-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it("stores small and large files by their SHA-256 and reads them back byte for byte", async () => {
    const store = createFileStore(root);
    const small = new TextEncoder().encode("知库 small file");
    // Over the synchronous-write limit, so the asynchronous path runs too.
    const large = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
    for (const bytes of [small, large]) {
      const hash = await store.put(bytes);
      expect(hash).toBe(hashBytes(bytes));
      expect(store.has(hash)).toBe(true);
      // Buffer.equals: a byte-wise deep equality over megabytes is slow in the matcher.
      expect(Buffer.from(await store.read(hash)).equals(bytes)).toBe(true);
      expect(await store.put(bytes)).toBe(hash);
    }
    const names = (await readdir(root, { recursive: true })).map(String);
    expect(names.filter((name) => name.endsWith(".tmp"))).toEqual([]);
    expect(names.filter((name) => /^[0-9a-f]{2}[/\\][0-9a-f]{64}$/.test(name))).toHaveLength(2);
  });

  it("removes stored bytes and refuses paths that are not hashes", async () => {
    const store = createFileStore(root);
    const hash = await store.put(new Uint8Array([1, 2, 3]));
    await store.remove(hash);
    expect(store.has(hash)).toBe(false);
    expect(() => store.path("../escape")).toThrow(/Invalid file hash/);
  });
});
