import { execFile } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
// The built CLI, as `npx zhiku` runs it (tests run after `tsc -b`).
const cli = fileURLToPath(new URL("../../dist/cli/main.js", import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

describe("zhiku CLI", () => {
  let workDir: string;
  let ollama: StandInOllama;
  let env: NodeJS.ProcessEnv;

  const zhiku = async (...args: string[]): Promise<CliResult> => {
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...args], { env, cwd: workDir });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code: number; stdout: string; stderr: string };
      return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
    }
  };

  beforeAll(async () => {
    workDir = await mkdtemp(join(tmpdir(), "zhiku-cli-"));
    ollama = await startStandInOllama({ port: 0, embeddingDimension: 256 });
    env = {
      ...process.env,
      DATA_DIR: join(workDir, "data"),
      OLLAMA_HOST: ollama.url,
      EMBED_MODEL: "bge-m3",
      MAX_UPLOAD_MB: "1",
    };
    const docs = join(workDir, "docs");
    await mkdir(join(docs, "guide"), { recursive: true });
    await mkdir(join(docs, ".git"), { recursive: true });
    await writeFile(
      join(docs, "guide", "intro.md"),
      "# 入门\n\n知库把团队的文档变成可以提问的知识库。\n\n## 安装\n\n运行 docker compose up 即可启动。\n",
    );
    await writeFile(
      join(docs, "redis.txt"),
      "Redis keeps its data in memory and persists it with RDB snapshots or the AOF log.\n",
    );
    await writeFile(join(docs, ".hidden.md"), "# hidden\n\nshould never be ingested\n");
    await writeFile(join(docs, ".git", "config"), "[core]\n");
    await writeFile(join(docs, "empty.txt"), "");
    await writeFile(join(docs, "huge.txt"), "大".repeat(600_000));
  });

  afterAll(async () => {
    await ollama?.close();
    await rm(workDir, { recursive: true, force: true });
  });

  it("ingests a folder, names files by relative path, skips hidden files and reports failures", async () => {
    const result = await zhiku("ingest", "--workspace", "team", "docs");
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("ingested guide/intro.md");
    expect(result.stdout).toContain("ingested redis.txt");
    expect(result.stdout).not.toContain("hidden");
    expect(result.stdout).not.toContain("config");
    expect(result.stdout).toMatch(/failed {3}"?empty\.txt"?:? .*empty/);
    expect(result.stdout).toMatch(/failed {3}huge\.txt: .*MAX_UPLOAD_MB/);
    expect(result.stdout).toContain('updating the search indexes of workspace "team"…');
    expect(result.stdout).toContain("2 ingested, 0 skipped (unchanged), 2 failed");
  });

  it("skips unchanged files on a second run and exits 0 when nothing failed", async () => {
    // A file given directly is named by its file name: redis.txt is the document the folder run stored.
    const result = await zhiku("ingest", "--workspace", "team", "docs/redis.txt");
    expect(result.stdout).toContain("0 ingested, 1 skipped (unchanged), 0 failed");
    // Nothing new to fold in.
    expect(result.stdout).not.toContain("updating the search indexes");
    expect(result.code).toBe(0);
  });

  it("searches in Chinese and English and prints JSON with the documented fields", async () => {
    const chinese = await zhiku("search", "--workspace", "team", "--json", "怎么安装和启动");
    expect(chinese.code).toBe(0);
    const parsed = JSON.parse(chinese.stdout) as { results: Record<string, unknown>[] };
    expect(parsed.results[0]).toMatchObject({ documentName: "guide/intro.md", page: null });
    expect(parsed.results[0]?.text).toContain("docker compose up");
    expect(parsed.results[0]?.headings).toEqual(["入门", "安装"]);
    for (const field of ["documentName", "documentId", "chunkId", "text", "score", "page", "headings"]) {
      expect(parsed.results[0]).toHaveProperty(field);
    }
    const english = await zhiku(
      "search",
      "-w",
      "team",
      "--mode",
      "fulltext",
      "--limit",
      "1",
      "RDB snapshots",
    );
    expect(english.code).toBe(0);
    expect(english.stdout).toMatch(/^1\. redis\.txt/);
  });

  it("weights hybrid search by FUSION_VECTOR_WEIGHT and refuses one outside 0..1", async () => {
    const search = async (weight: string | undefined) => {
      const saved = env;
      env = { ...env, FUSION_VECTOR_WEIGHT: weight };
      try {
        const result = await zhiku("search", "--workspace", "team", "--json", "RDB snapshots");
        expect(result.code).toBe(0);
        const { results } = JSON.parse(result.stdout) as {
          results: { documentName: string; score: number }[];
        };
        return results;
      } finally {
        env = saved;
      }
    };
    // Full text finds redis.txt alone; the vector side ranks it first and guide/intro.md second.
    const balanced = await search(undefined);
    expect(balanced[0]).toMatchObject({ documentName: "redis.txt", score: expect.closeTo(2 / 60, 10) });
    expect(balanced.find((hit) => hit.documentName === "guide/intro.md")?.score).toBeCloseTo(1 / 61, 10);
    // Vector weight 0: redis.txt keeps 2 / 60 from full text (weight 2), the vector-only hit scores nothing.
    const textOnly = await search("0");
    expect(textOnly[0]).toMatchObject({ documentName: "redis.txt", score: expect.closeTo(2 / 60, 10) });
    expect(textOnly.find((hit) => hit.documentName === "guide/intro.md")?.score).toBe(0);

    const saved = env;
    env = { ...env, FUSION_VECTOR_WEIGHT: "2" };
    const bad = await zhiku("search", "--workspace", "team", "RDB snapshots");
    env = saved;
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain("FUSION_VECTOR_WEIGHT");
  });

  it("reranks with RERANK_URL (the stand-in's /v1/rerank here) and notes a reranker that is down", async () => {
    const saved = env;
    try {
      env = { ...saved, RERANK_URL: ollama.url };
      const reranked = await zhiku("search", "--workspace", "team", "--json", "RDB snapshots AOF log");
      expect(reranked.code).toBe(0);
      const body = JSON.parse(reranked.stdout) as {
        results: { documentName: string; rerankScore?: number }[];
        rerank?: { applied: boolean; model: string };
      };
      expect(body.rerank).toEqual({ applied: true, model: "bge-reranker-v2-m3" });
      expect(body.results[0]?.documentName).toBe("redis.txt");
      for (const result of body.results) expect(typeof result.rerankScore).toBe("number");
      const text = await zhiku("search", "--workspace", "team", "RDB snapshots AOF log");
      expect(text.stdout).toMatch(/^1\. redis\.txt .*\(rerank score 0\.\d{4}\)/);

      env = { ...saved, RERANK_URL: "http://127.0.0.1:9" };
      const down = await zhiku("search", "--workspace", "team", "--json", "RDB snapshots");
      expect(down.code).toBe(0);
      expect(down.stderr).toMatch(
        /^note: not reranked, in the fused order \(Reranker at .*: not reachable\)/,
      );
      expect((JSON.parse(down.stdout) as { rerank?: { applied: boolean } }).rerank?.applied).toBe(false);

      env = { ...saved, RERANK_URL: "reranker:8080" };
      const bad = await zhiku("search", "--workspace", "team", "RDB snapshots");
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toContain("RERANK_URL: must be a URL such as http://reranker:8080");

      env = saved;
      const noReranker = await zhiku("eval", "--workspace", "team", "--modes", "hybrid+rerank", "q.jsonl");
      expect(noReranker.code).not.toBe(0);
      expect(noReranker.stderr).toContain("hybrid+rerank needs --rerank-url (or RERANK_URL)");
      const badUrl = await zhiku("eval", "--workspace", "team", "--rerank-url", "reranker", "q.jsonl");
      expect(badUrl.code).not.toBe(0);
      expect(badUrl.stderr).toContain("must be a URL such as http://127.0.0.1:8080");
    } finally {
      env = saved;
    }
  });

  it("explains bad arguments and unknown workspaces", async () => {
    const badMode = await zhiku("search", "--workspace", "team", "--mode", "fuzzy", "x");
    expect(badMode.code).not.toBe(0);
    expect(badMode.stderr).toContain("fuzzy");
    const missing = await zhiku("search", "--workspace", "nope", "x");
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('No workspace "nope"');
  });
});
