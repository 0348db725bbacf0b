import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type Listening, listenOnLoopback } from "../testing/listen.js";
import { createTestServer, type TestServer } from "../testing/test-server.js";

const encoder = new TextEncoder();

/** The JSON a tool result carries as structured content. */
function structured(result: Awaited<ReturnType<Client["callTool"]>>): Record<string, unknown> {
  expect(result.isError ?? false).toBe(false);
  return result.structuredContent as Record<string, unknown>;
}

function errorText(result: Awaited<ReturnType<Client["callTool"]>>): string {
  expect(result.isError).toBe(true);
  return (result.content as { type: string; text: string }[]).map((part) => part.text).join("\n");
}

describe("MCP over streamable HTTP at /mcp, driven by the SDK's client", () => {
  let server: TestServer;
  let listener: Listening;
  let baseUrl: string;
  const clients: Client[] = [];

  async function connect(apiKey: string | undefined): Promise<Client> {
    const client = new Client({ name: "zhiku-test", version: "1.0.0" });
    const transport = new StreamableHTTPClientTransport(new URL(`${baseUrl}/mcp`), {
      requestInit: apiKey ? { headers: { Authorization: `Bearer ${apiKey}` } } : {},
    });
    await client.connect(transport);
    clients.push(client);
    return client;
  }

  beforeEach(async () => {
    server = await createTestServer();
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "redis.md",
      bytes: encoder.encode(
        "# Redis transactions\n\n## MULTI and EXEC\n\nMULTI queues commands and EXEC runs them. Redis does not roll back a failed command.\n",
      ),
    });
    await server.deps.kb.ingest({
      workspace: "secret",
      name: "plans.md",
      bytes: encoder.encode("# Plans\n\nThe launch is planned for the spring; the budget is 3 million.\n"),
    });
    listener = await listenOnLoopback(server.app);
    baseUrl = listener.baseUrl;
  });

  afterEach(async () => {
    for (const client of clients.splice(0)) await client.close();
    await listener.close();
    await server.close();
  });

  it("lists the four tools and the caller's workspaces", async () => {
    const client = await connect(server.admin.apiKey);
    const { tools } = await client.listTools();
    expect(tools.map((tool) => tool.name).sort()).toEqual([
      "ask",
      "get_document_text",
      "list_workspaces",
      "search",
    ]);
    const listed = structured(await client.callTool({ name: "list_workspaces", arguments: {} }));
    expect((listed.workspaces as { slug: string }[]).map((workspace) => workspace.slug).sort()).toEqual([
      "docs",
      "secret",
    ]);
  });

  it("searches with document, heading path and a link to the passage", async () => {
    const client = await connect(server.admin.apiKey);
    const found = structured(
      await client.callTool({
        name: "search",
        arguments: { workspace: "docs", query: "MULTI EXEC", limit: 3 },
      }),
    );
    const passages = found.passages as {
      document: string;
      documentId: string;
      chunkId: string;
      headings: string[];
      text: string;
      link: string;
    }[];
    expect(passages[0]?.document).toBe("redis.md");
    expect(passages[0]?.text).toContain("EXEC runs them");
    expect(passages[0]?.headings).toContain("MULTI and EXEC");
    const link = new URL(passages[0]?.link ?? "");
    expect(`${link.origin}${link.pathname}`).toBe(`${baseUrl}/workspaces/docs/documents`);
    expect(Object.fromEntries(link.searchParams)).toEqual({
      document: passages[0]?.documentId,
      chunk: passages[0]?.chunkId,
    });
  });

  it("asks, with numbered citations, and reads the cited document's text", async () => {
    const client = await connect(server.admin.apiKey);
    const asked = structured(
      await client.callTool({
        name: "ask",
        arguments: { workspace: "docs", question: "Does Redis roll back a failed command in EXEC?" },
      }),
    );
    const citations = asked.citations as { index: number; document: string; documentId: string }[];
    expect(citations[0]).toMatchObject({ index: 1, document: "redis.md" });
    expect(asked.answer).toMatch(/\[1\]/);

    const read = structured(
      await client.callTool({
        name: "get_document_text",
        arguments: { workspace: "docs", documentId: citations[0]?.documentId, from: 0, to: 5 },
      }),
    );
    expect(read.document).toBe("redis.md");
    expect(read.chunkCount).toBeGreaterThan(0);
    expect((read.chunks as { text: string }[]).map((chunk) => chunk.text).join("\n")).toContain("roll back");
    // No thread is stored for an MCP question.
    expect(server.deps.kb.db.prepare("SELECT COUNT(*) AS n FROM threads").get()).toEqual({ n: 0 });
  });

  it("honours an API key's workspace limit", async () => {
    const created = await server.admin.request("/api/api-keys", {
      as: "session",
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "docs only", workspace: "docs" }),
    });
    expect(created.status).toBe(201);
    const { key } = (await created.json()) as { key: string };
    const client = await connect(key);
    const listed = structured(await client.callTool({ name: "list_workspaces", arguments: {} }));
    expect((listed.workspaces as { slug: string }[]).map((workspace) => workspace.slug)).toEqual(["docs"]);
    const refused = await client.callTool({
      name: "search",
      arguments: { workspace: "secret", query: "budget" },
    });
    expect(errorText(refused)).toContain("not_found:workspace");
  });

  it("refuses a request without an API key, and a session cookie", async () => {
    await expect(connect(undefined)).rejects.toThrow(/401|unauthorized/i);
    const withCookie = await fetch(`${baseUrl}/mcp`, {
      method: "POST",
      headers: {
        cookie: server.admin.cookie,
        "x-zhiku-csrf": "1",
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "tools/list" }),
    });
    expect(withCookie.status).toBe(401);
    expect(await withCookie.json()).toMatchObject({ error: { code: "unauthorized:api_key" } });
  });
});
