import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import {
  type ChunkRecord,
  type DocumentRecord,
  isZhikuError,
  type RerankSummary,
  type SearchMode,
  type SearchResult,
  type WorkspaceRecord,
} from "@zhiku/ingest";
import { z } from "zod";
import type { ChatAnswer } from "../services/chat/index.js";

/**
 * What the MCP tools may do on behalf of one caller: the HTTP transport builds it from the API key's user and
 * workspace limit, the stdio transport (`zhiku mcp`) from the data dir alone, like the CLI.
 */
export interface McpAccess {
  /** The workspaces the caller may read. */
  listWorkspaces(): WorkspaceRecord[];
  /** The workspace, or a `not_found:workspace` error when it does not exist or the caller may not read it. */
  requireWorkspace(slug: string): WorkspaceRecord;
  /** Searches a workspace the caller may read. */
  search(options: {
    workspace: string;
    query: string;
    limit: number;
    mode: SearchMode;
  }): Promise<{ results: SearchResult[]; mode: SearchMode; rerank?: RerankSummary }>;
  /** Answers a question from a workspace's documents, without storing a thread. */
  answer(options: {
    workspace: WorkspaceRecord;
    question: string;
    signal?: AbortSignal;
  }): Promise<ChatAnswer>;
  /** A document of the workspace, if it exists. */
  getDocument(workspace: string, documentId: string): DocumentRecord | undefined;
  /** The document's chunks in order. */
  listChunks(workspace: string, documentId: string): Promise<ChunkRecord[]>;
  /** Where a person opens the passage in Zhiku's web client. */
  passageLink(workspace: string, documentId: string, chunkId: string): string;
}

/** Largest number of chunks `get_document_text` returns at once. */
export const MAX_CHUNKS_PER_CALL = 50;

const searchModes = ["hybrid", "vector", "fulltext"] as const;

/** A passage as the MCP tools return it: where it comes from, and a link to it. */
export interface McpPassage {
  document: string;
  documentId: string;
  chunkId: string;
  page: number | null;
  headings: string[];
  text: string;
  score: number;
  /** The reranker's score, when a reranker (RERANK_URL) ordered the passages. */
  rerankScore?: number;
  link: string;
}

/**
 * Builds an MCP server with Zhiku's four tools — `list_workspaces`, `search`, `ask`, `get_document_text` — over
 * the given access. One server serves one caller (one HTTP request, or one stdio session).
 */
export function createZhikuMcpServer(access: McpAccess, options: { version: string }): McpServer {
  const server = new McpServer({ name: "zhiku", version: options.version });

  server.registerTool(
    "list_workspaces",
    {
      title: "List workspaces",
      description: "The Zhiku workspaces (knowledge bases) you may search and ask, with their slugs.",
      annotations: { readOnlyHint: true },
    },
    async () =>
      result({
        workspaces: access.listWorkspaces().map((workspace) => ({
          slug: workspace.slug,
          name: workspace.name,
          embeddingModel: workspace.embedModel,
        })),
      }),
  );

  server.registerTool(
    "search",
    {
      title: "Search a workspace",
      description:
        "Find passages in a workspace's documents (hybrid vector + full-text search by default; Chinese and English). " +
        "Returns passages best first, each with its document, page, heading path and a link to it in Zhiku; with a " +
        "reranker configured, each has its rerankScore and `rerank` says whether the reranker answered.",
      inputSchema: {
        workspace: z.string().min(1).describe("workspace slug, from list_workspaces"),
        query: z.string().trim().min(1).max(4_000).describe("what to look for"),
        limit: z.int().min(1).max(50).optional().describe("number of passages, default 5"),
        mode: z.enum(searchModes).optional().describe("hybrid (default), vector or fulltext"),
      },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded(async () => {
        const workspace = access.requireWorkspace(input.workspace);
        const { results, mode, rerank } = await access.search({
          workspace: workspace.slug,
          query: input.query,
          limit: input.limit ?? 5,
          mode: input.mode ?? "hybrid",
        });
        return result({
          mode,
          ...(rerank === undefined ? {} : { rerank }),
          passages: results.map((hit) => passageOf(access, workspace.slug, hit)),
        });
      }),
  );

  server.registerTool(
    "ask",
    {
      title: "Ask a workspace",
      description:
        "Answer a question from a workspace's documents only. The answer cites passages as [1], [2], …; " +
        "`citations` lists them by number with their document, page, heading path and link. When nothing relevant " +
        "is found it says so instead of guessing.",
      inputSchema: {
        workspace: z.string().min(1).describe("workspace slug, from list_workspaces"),
        question: z.string().trim().min(1).max(8_000).describe("the question, in any language"),
      },
      annotations: { readOnlyHint: true },
    },
    (input, extra) =>
      guarded(async () => {
        const workspace = access.requireWorkspace(input.workspace);
        const answered = await access.answer({ workspace, question: input.question, signal: extra.signal });
        const citations = answered.sources.map((source) => ({
          index: source.index,
          ...passageOf(access, workspace.slug, source),
        }));
        return result({ answer: answered.answer, citations }, answered.answer);
      }),
  );

  server.registerTool(
    "get_document_text",
    {
      title: "Read a document",
      description:
        "The text of a document's chunks from `from` to `to` (inclusive, from 0), for reading around a passage. " +
        `At most ${MAX_CHUNKS_PER_CALL} chunks a call; \`chunkCount\` tells how many there are.`,
      inputSchema: {
        workspace: z.string().min(1).describe("workspace slug"),
        documentId: z.string().min(1).describe("the documentId of a passage"),
        from: z.int().min(0).optional().describe("first chunk index, default 0"),
        to: z
          .int()
          .min(0)
          .optional()
          .describe(`last chunk index, default from + ${MAX_CHUNKS_PER_CALL - 1}`),
      },
      annotations: { readOnlyHint: true },
    },
    (input) =>
      guarded(async () => {
        const workspace = access.requireWorkspace(input.workspace);
        const document = access.getDocument(workspace.slug, input.documentId);
        if (!document) {
          return failure(
            "not_found:document",
            `No document ${input.documentId} in workspace ${workspace.slug}`,
          );
        }
        const from = input.from ?? 0;
        const to = Math.min(input.to ?? from + MAX_CHUNKS_PER_CALL - 1, from + MAX_CHUNKS_PER_CALL - 1);
        if (to < from) return failure("invalid:to", `to (${to}) is before from (${from})`);
        const chunks = await access.listChunks(workspace.slug, document.id);
        const picked = chunks.filter((chunk) => chunk.index >= from && chunk.index <= to);
        return result({
          document: document.name,
          documentId: document.id,
          chunkCount: chunks.length,
          chunks: picked.map((chunk) => ({
            index: chunk.index,
            chunkId: chunk.chunkId,
            page: chunk.page,
            headings: chunk.headings,
            text: chunk.text,
            link: access.passageLink(workspace.slug, document.id, chunk.chunkId),
          })),
        });
      }),
  );

  return server;
}

function passageOf(
  access: McpAccess,
  workspace: string,
  hit: Pick<
    SearchResult,
    "documentName" | "documentId" | "chunkId" | "page" | "headings" | "text" | "score" | "rerankScore"
  >,
): McpPassage {
  return {
    document: hit.documentName,
    documentId: hit.documentId,
    chunkId: hit.chunkId,
    page: hit.page,
    headings: hit.headings,
    text: hit.text,
    score: hit.score,
    ...(hit.rerankScore === undefined ? {} : { rerankScore: hit.rerankScore }),
    link: access.passageLink(workspace, hit.documentId, hit.chunkId),
  };
}

/** A tool result carrying `data` as structured content and as JSON text (for clients that read only text). */
function result(data: Record<string, unknown>, text?: string): CallToolResult {
  const json = JSON.stringify(data);
  return {
    structuredContent: data,
    content:
      text === undefined
        ? [{ type: "text", text: json }]
        : [
            { type: "text", text },
            { type: "text", text: json },
          ],
  };
}

/** A tool error the calling model can read and act on: `code: message`. */
function failure(code: string, message: string): CallToolResult {
  return { isError: true, content: [{ type: "text", text: `${code}: ${message}` }] };
}

/** Runs a tool body; Zhiku's own errors become tool errors with their code, anything else is rethrown. */
async function guarded(body: () => Promise<CallToolResult>): Promise<CallToolResult> {
  try {
    return await body();
  } catch (error) {
    if (isZhikuError(error)) return failure(error.code, error.message);
    throw error;
  }
}
