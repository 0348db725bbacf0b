import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import type { KnowledgeBase } from "@zhiku/ingest";
import { Hono } from "hono";
import type { Authenticated, Permissions } from "../auth/index.js";
import { AppError } from "../errors.js";
import type { ChatService } from "../services/chat/index.js";
import { accessForCaller } from "./mcp-access.js";
import { createZhikuMcpServer } from "./mcp-server.js";

/** What the `/mcp` endpoint needs. */
export interface McpRoutesOptions {
  kb: KnowledgeBase;
  chat: ChatService;
  permissions: Permissions;
  /** Reported to MCP clients as the server's version. */
  version: string;
}

/**
 * `/mcp`: the MCP streamable HTTP transport, stateless (a fresh server per request), for an API key in
 * `Authorization: Bearer zk_...`; the key's workspace limit and its user's memberships apply to every tool.
 */
export function createMcpRoutes(options: McpRoutesOptions) {
  return new Hono().all("/mcp", async (c) => {
    const auth = c.get("auth") as Authenticated;
    if (!auth.apiKey) {
      throw new AppError(
        "unauthorized:api_key",
        "MCP needs an API key: send Authorization: Bearer zk_... (create one under API keys)",
        401,
      );
    }
    const access = accessForCaller({
      kb: options.kb,
      chat: options.chat,
      permissions: options.permissions,
      auth,
      baseUrl: new URL(c.req.url).origin,
    });
    const server = createZhikuMcpServer(access, { version: options.version });
    const transport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    await server.connect(transport);
    try {
      return await transport.handleRequest(c.req.raw);
    } finally {
      // JSON responses are complete when handleRequest returns.
      await server.close();
    }
  });
}
