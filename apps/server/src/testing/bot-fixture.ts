import type { BotPlatform } from "../bots/platforms.js";
import {
  type RecordedReply,
  type RecordedRequest,
  type RecordingServer,
  startRecordingServer,
} from "./recording-server.js";
import { createTestServer, type TestServer } from "./test-server.js";

/** The public URL the bot fixtures' servers run at, so citations carry links. */
export const fixturePublicUrl = "https://zhiku.example.com";

/** A test server with a document, a stand-in platform API and one bot connected through the admin API. */
export interface BotFixture {
  server: TestServer;
  /** The loopback server standing in for the platform's API; it records what the SDK sent. */
  platform: RecordingServer;
  /** The connected integration's id. */
  integrationId: string;
  /** Its callback path, such as `/api/integrations/…/slack/events`. */
  callbackPath: string;
  /** The document's id in workspace `docs`. */
  documentId: string;
  /** The id of its one passage. */
  chunkId: string;
  close(): Promise<void>;
}

/** Options for {@link createBotFixture}. */
export interface BotFixtureOptions {
  platform: BotPlatform;
  /** Settings besides `apiBaseUrl` (which points at the recording server). */
  settings?: Record<string, string>;
  secrets: Record<string, string>;
  mode?: "query" | "chat";
  /** How the stand-in platform API answers each request. */
  reply: (request: RecordedRequest) => RecordedReply | undefined;
  /** Extra server environment, such as another `BOT_EDIT_INTERVAL_MS` (the benches). */
  environment?: Record<string, string>;
}

/**
 * Builds a {@link BotFixture}: workspace `docs` holds `backup.md` (about nightly backups), and the bot is connected
 * as an admin would, with the platform's API base URL at a recording server.
 */
export async function createBotFixture(options: BotFixtureOptions): Promise<BotFixture> {
  const platform = await startRecordingServer(options.reply);
  // Edits as soon as the previous one is done, so the platform sees the answer streamed whatever the machine's speed.
  const server = await createTestServer({
    environment: { PUBLIC_URL: fixturePublicUrl, BOT_EDIT_INTERVAL_MS: "0", ...options.environment },
  });
  const { document } = await server.deps.kb.ingest({
    workspace: "docs",
    name: "backup.md",
    bytes: new TextEncoder().encode(
      "# Backups\n\nThe data directory is backed up every night at two and kept for thirty days.\n",
    ),
  });
  const [chunk] = await server.deps.kb.listChunks("docs", document.id);
  if (!chunk) throw new Error("backup.md has no passage");
  const response = await server.request("/api/workspaces/docs/integrations", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      platform: options.platform,
      name: `${options.platform} bot`,
      mode: options.mode ?? "query",
      settings: { ...options.settings, apiBaseUrl: platform.url },
      secrets: options.secrets,
    }),
  });
  if (response.status !== 201) throw new Error(`Connecting the bot failed: ${await response.text()}`);
  const { integration } = (await response.json()) as { integration: { id: string; callbackUrl: string } };
  return {
    server,
    platform,
    integrationId: integration.id,
    callbackPath: integration.callbackUrl.slice(fixturePublicUrl.length),
    documentId: document.id,
    chunkId: chunk.chunkId,
    async close() {
      await server.deps.bots.answerer.idle();
      await server.close();
      await platform.close();
    },
  };
}

/** The `bot.question` audit events of a test server. */
export function botQuestions(server: TestServer) {
  return server.deps.auth.audit.list({ limit: 100 }).filter((event) => event.action === "bot.question");
}
