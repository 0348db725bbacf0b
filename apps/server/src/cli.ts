/**
 * The `zhiku` command: the ingest package's commands (ingest, search, backup, restore, reembed, eval) and `mcp`,
 * which serves the knowledge base to MCP clients over stdio and needs the server's chat service for `ask`.
 */
import { cliProgram, runCli } from "@zhiku/ingest/cli";

cliProgram
  .command("mcp")
  .description(
    "serve DATA_DIR's workspaces to an MCP client over stdio (tools: list_workspaces, search, ask, get_document_text)",
  )
  .action(async () => {
    const { serveMcpOverStdio } = await import("./mcp/mcp-stdio.js");
    await serveMcpOverStdio(process.env);
  });

await runCli(cliProgram);
