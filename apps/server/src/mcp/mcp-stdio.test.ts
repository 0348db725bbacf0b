import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createOllamaEmbedder, openKnowledgeBase } from "@zhiku/ingest";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";

// The built `zhiku` command, as `npx zhiku mcp` runs it (tests run after `tsc -b`).
const zhiku = fileURLToPath(new URL("../../bin/zhiku.js", import.meta.url));

describe("zhiku mcp over stdio, driven by the SDK's client", () => {
  let dataDir: string;
  let standIn: StandInOllama;
  let client: Client;

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-mcp-"));
    standIn = await startStandInOllama({ embeddingDimension: 64 });
    const kb = await openKnowledgeBase({
      dataDir,
      embedder: createOllamaEmbedder({ host: standIn.url, model: "bge-m3" }),
    });
    await kb.ingest({
      workspace: "handbook",
      name: "gc.md",
      bytes: new TextEncoder().encode(
        "# 垃圾回收\n\n## 复制算法\n\n复制算法把内存分成两块，每次只使用其中一块，存活对象复制到另一块。\n",
      ),
    });
    await kb.optimize("handbook");
    await kb.close();
    client = new Client({ name: "zhiku-test", version: "1.0.0" });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [zhiku, "mcp"],
        env: {
          PATH: process.env.PATH ?? "",
          DATA_DIR: dataDir,
          OLLAMA_HOST: standIn.url,
          EMBED_MODEL: "bge-m3",
          PUBLIC_URL: "https://zhiku.example.com/",
          LANCEDB_LOG: "error",
        },
        stderr: "pipe",
      }),
    );
  });

  afterEach(async () => {
    await client.close();
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("lists workspaces, searches in Chinese with links under PUBLIC_URL, and answers with citations", async () => {
    const listed = await client.callTool({ name: "list_workspaces", arguments: {} });
    expect(listed.structuredContent).toMatchObject({ workspaces: [{ slug: "handbook" }] });

    const found = await client.callTool({
      name: "search",
      arguments: { workspace: "handbook", query: "复制算法", mode: "fulltext" },
    });
    const { passages } = found.structuredContent as {
      passages: { document: string; headings: string[]; text: string; link: string }[];
    };
    expect(passages[0]).toMatchObject({ document: "gc.md", headings: ["垃圾回收", "复制算法"] });
    expect(passages[0]?.text).toContain("每次只使用其中一块");
    expect(
      passages[0]?.link.startsWith("https://zhiku.example.com/workspaces/handbook/documents?document="),
    ).toBe(true);

    const asked = await client.callTool({
      name: "ask",
      arguments: { workspace: "handbook", question: "复制算法是怎么工作的？" },
    });
    const answer = asked.structuredContent as {
      answer: string;
      citations: { index: number; document: string }[];
    };
    expect(answer.citations[0]).toMatchObject({ index: 1, document: "gc.md" });
    expect(answer.answer).toMatch(/\[1\]/);
  });

  it("answers an unknown workspace with a tool error naming it", async () => {
    const result = await client.callTool({ name: "search", arguments: { workspace: "nope", query: "x" } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toContain('not_found:workspace: No workspace \\"nope\\"');
  });
});
