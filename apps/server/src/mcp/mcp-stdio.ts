import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { knowledgeBaseOptionsFrom, openKnowledgeBase } from "@zhiku/ingest";
import { migrateServerDatabase } from "../db/migrations.js";
import { parseEnvironment } from "../env.js";
import { createKnowledgeBaseChat } from "../services/chat/chat-parts.js";
import { accessForDataDir } from "./mcp-access.js";
import { createZhikuMcpServer } from "./mcp-server.js";

/**
 * `zhiku mcp`: serves the workspaces of `DATA_DIR` to one MCP client over stdin/stdout until the client closes
 * stdin. Reads the server's environment variables (DATA_DIR, OLLAMA_HOST, EMBED_MODEL, CHAT_MODEL,
 * FUSION_VECTOR_WEIGHT, RERANK_URL, RERANK_MODEL, RERANK_TIMEOUT_MS; PUBLIC_URL for passage links). Safe beside a running server on the same data dir.
 * Nothing but the protocol is written to stdout.
 */
export async function serveMcpOverStdio(environment: Record<string, string | undefined>): Promise<void> {
  const config = parseEnvironment(environment);
  const kb = await openKnowledgeBase(knowledgeBaseOptionsFrom(config));
  migrateServerDatabase(kb.db);
  const { chat } = createKnowledgeBaseChat({
    kb,
    ollamaHost: config.ollamaHost,
    chatModel: config.chatModel,
  });
  const access = accessForDataDir({
    kb,
    chat,
    baseUrl: config.publicUrl ?? `http://localhost:${config.port}`,
  });
  const server = createZhikuMcpServer(access, { version: "0.1.0" });
  const transport = new StdioServerTransport();
  const closed = new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await server.connect(transport);
  await closed;
  await server.close();
  await kb.close();
}
