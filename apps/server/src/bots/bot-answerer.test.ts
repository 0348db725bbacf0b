import { setImmediate as nextTurn } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createLogger } from "../logger.js";
import type { ChatEvent, ChatService } from "../services/chat/chat-service.js";
import type { ChatSource } from "../services/chat/chat-source.js";
import { createTestServer, type TestServer } from "../testing/test-server.js";
import { BotAnswerer, type BotQuestion } from "./bot-answerer.js";
import type { IntegrationRecord } from "./integration-store.js";

const source: ChatSource = {
  index: 1,
  documentName: "backup.md",
  documentId: "doc-1",
  chunkId: "doc-1:h:0",
  text: "The data directory is backed up every night.",
  score: 1,
  relevance: 0.8,
  page: null,
  headings: [],
  start: 0,
  end: 10,
};

/**
 * The chat service faked (the one collaborator): it streams `pieces` one event-loop turn apart, so each edit of
 * the one before is done before the next piece, and the answer would be edited once per piece without a limit.
 */
function streamingChat(pieces: string[]): Pick<ChatService, "stream"> {
  return {
    async *stream(): AsyncGenerator<ChatEvent, void, undefined> {
      yield { type: "sources", sources: [source], query: "q", searchMode: "hybrid" };
      for (const text of pieces) {
        await nextTurn();
        yield { type: "token", text };
      }
      yield {
        type: "done",
        threadId: null,
        messageId: null,
        answer: pieces.join(""),
        usage: { promptTokens: 1, completionTokens: pieces.length },
        finishReason: "stop",
        status: "done",
      };
    },
  };
}

describe("BotAnswerer", () => {
  let server: TestServer;
  let integration: IntegrationRecord;
  const shutdown = new AbortController();

  beforeEach(async () => {
    server = await createTestServer();
    const workspace = server.deps.kb.createWorkspace({ name: "docs" });
    integration = server.deps.bots.integrations.create({
      workspaceId: workspace.id,
      platform: "feishu",
      name: "Feishu bot",
      mode: "query",
      settings: { appId: "cli_1" },
      secrets: { appSecret: "a", verificationToken: "v", encryptKey: "e" },
      createdBy: null,
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const answerer = (chat: Pick<ChatService, "stream">) =>
    new BotAnswerer({
      kb: server.deps.kb,
      chat,
      integrations: server.deps.bots.integrations,
      audit: server.deps.auth.audit,
      logger: createLogger("silent"),
      shutdownSignal: shutdown.signal,
      editIntervalMs: 0,
    });

  const question = (reply: BotQuestion["reply"], deliveryId = "d1"): BotQuestion => ({
    integration,
    deliveryId,
    text: "How long are backups kept?",
    asker: { id: "u1" },
    conversation: "c1",
    reply,
  });

  it("edits a streamed answer within the platform's edit limit, keeping the last edit for the cited answer", async () => {
    const pieces = Array.from({ length: 60 }, (_, index) => (index === 59 ? " [1]" : ` word${index}`));
    const bots = answerer(streamingChat(pieces));
    const sent: string[] = [];
    const edits: string[] = [];
    bots.accept(
      question({
        linkStyle: "plain",
        editable: {
          begin: async (text) => {
            sent.push(text);
          },
          edit: async (text) => {
            edits.push(text);
          },
          maxEdits: 20,
        },
      }),
    );
    await bots.idle();
    expect(sent).toEqual(["Looking through the documents…"]);
    // 60 pieces would be 60 edits: 19 while streaming, the 20th is the finished answer.
    expect(edits).toHaveLength(20);
    expect(edits.slice(0, -1).every((text) => text.endsWith(" …"))).toBe(true);
    expect(edits.at(-1)).toBe(`${pieces.join("").trim()}\n\nSources:\n[1] backup.md`);
    const stored = server.deps.bots.integrations.get(integration.id);
    expect(stored?.lastActivityAt).not.toBeNull();
    expect(stored?.lastError).toBeNull();
  });

  it("records why an answer could not be sent as the integration's last error", async () => {
    const bots = answerer(streamingChat([" Kept", " thirty days [1]"]));
    bots.accept(
      question({
        linkStyle: "plain",
        editable: {
          begin: () =>
            Promise.reject(new Error("Feishu message.reply failed: 230002 Bot is not in the chat")),
          edit: () => Promise.reject(new Error("never reached")),
        },
      }),
    );
    await bots.idle();
    expect(server.deps.bots.integrations.get(integration.id)?.lastError).toBe(
      "Feishu message.reply failed: 230002 Bot is not in the chat",
    );
  });

  it("sends the answer whole, once, where the platform cannot edit", async () => {
    const bots = answerer(streamingChat([" Kept", " thirty days [1]"]));
    const sent: string[] = [];
    bots.accept(
      question({
        linkStyle: "markdown",
        send: async (text) => {
          sent.push(text);
        },
      }),
    );
    await bots.idle();
    expect(sent).toEqual(["Kept thirty days [1]\n\nSources:\n[1] backup.md"]);
  });
});
