import { readFile } from "node:fs/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestServer, type TestServer, type TestUser } from "../testing/test-server.js";

const guide = `# 咖啡机手册

## 日常清洁

每周用柠檬酸除垢一次。蒸汽棒每次使用后都要用湿布擦拭。

## 故障排除

### 不出水

检查水箱是否装好，并确认滤网没有堵塞。
`;

const twoPagePdf = new URL("../../../../packages/ingest/fixtures/zh-two-page.pdf", import.meta.url);

interface DocumentTextBody {
  document: { id: string; name: string; pages: number | null };
  text: string;
  chunks: {
    chunkId: string;
    index: number;
    start: number;
    end: number;
    headings: string[];
    page: number | null;
  }[];
}

describe("GET /api/workspaces/:slug/documents/:id/text", () => {
  let server: TestServer;
  let member: TestUser;
  let stranger: TestUser;
  let guideId: string;
  let pdfId: string;

  beforeAll(async () => {
    server = await createTestServer();
    member = await server.createUser({ email: "viewer@example.com" });
    stranger = await server.createUser({ email: "stranger@example.com" });
    const workspace = server.deps.kb.createWorkspace({ name: "Manuals", slug: "manuals" });
    server.deps.auth.accounts.setMember({
      workspaceId: workspace.id,
      userId: member.user.id,
      role: "viewer",
    });
    guideId = (
      await server.deps.kb.ingest({
        workspace: "manuals",
        name: "咖啡机.md",
        bytes: new TextEncoder().encode(guide),
      })
    ).document.id;
    pdfId = (
      await server.deps.kb.ingest({
        workspace: "manuals",
        name: "zh-two-page.pdf",
        bytes: new Uint8Array(await readFile(twoPagePdf)),
      })
    ).document.id;
  });

  afterAll(async () => {
    await server?.close();
  });

  it("gives a member the text with every chunk placed exactly, with its heading path", async () => {
    const response = await member.request(`/api/workspaces/manuals/documents/${guideId}/text`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as DocumentTextBody;
    expect(body.document).toMatchObject({ id: guideId, name: "咖啡机.md", pages: null });
    expect(body.text).toBe(guide.trimEnd());
    const stored = (await (
      await server.request(`/api/workspaces/manuals/documents/${guideId}/chunks`)
    ).json()) as {
      chunks: { chunkId: string; text: string; headings: string[] }[];
    };
    expect(body.chunks.map((chunk) => chunk.chunkId)).toEqual(stored.chunks.map((chunk) => chunk.chunkId));
    for (const [position, chunk] of body.chunks.entries()) {
      expect(body.text.slice(chunk.start, chunk.end)).toBe(stored.chunks[position]!.text);
      expect(chunk.page).toBeNull();
    }
    expect(body.chunks.map((chunk) => chunk.headings)).toContainEqual(["咖啡机手册", "故障排除", "不出水"]);
  });

  it("gives the page of each chunk of a PDF", async () => {
    const response = await server.request(`/api/workspaces/manuals/documents/${pdfId}/text`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as DocumentTextBody;
    expect(body.document.pages).toBe(2);
    expect(body.chunks.map((chunk) => chunk.page)).toEqual([1, 2]);
    const second = body.chunks[1]!;
    expect(body.text.slice(second.start, second.end)).toContain("第二章 全文索引");
  });

  it("answers a non-member as if the workspace did not exist, and shows nothing of the text", async () => {
    const response = await stranger.request(`/api/workspaces/manuals/documents/${guideId}/text`);
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(JSON.parse(body)).toMatchObject({ error: { code: "not_found:workspace" } });
    expect(body).not.toContain("柠檬酸");
  });

  it("names a document that is not in the workspace", async () => {
    const response = await member.request("/api/workspaces/manuals/documents/no-such-document/text");
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      error: { code: "not_found:document", message: expect.stringContaining("no-such-document") },
    });
  });
});
