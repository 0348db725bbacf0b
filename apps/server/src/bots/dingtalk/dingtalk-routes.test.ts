import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BotFixture,
  botQuestions,
  createBotFixture,
  fixturePublicUrl,
} from "../../testing/bot-fixture.js";

const appSecret = "gWq3ZtV7nYb0uXe9KcJ2hR5mLsA8dF1pQiT4oNwB6yH_EjU";

/** Signs as DingTalk documents for robot callbacks: sign = Base64(HmacSHA256(timestamp + "\n" + appSecret)). */
function signedHeaders(timestamp = Date.now()): Record<string, string> {
  return {
    "content-type": "application/json",
    timestamp: String(timestamp),
    sign: createHmac("sha256", appSecret).update(`${timestamp}\n${appSecret}`).digest("base64"),
  };
}

describe("DingTalk bot", () => {
  let fixture: BotFixture;

  beforeEach(async () => {
    fixture = await createBotFixture({
      platform: "dingtalk",
      secrets: { appSecret },
      reply: (request) =>
        request.path === "/robot/sendBySession" ? { body: { errcode: 0, errmsg: "ok" } } : undefined,
    });
  });

  afterEach(async () => {
    await fixture.close();
  });

  const message = (options: { msgId: string; content: string; webhook?: string }) =>
    JSON.stringify({
      conversationId: "cidmRAnTOZ6+u3h4WhnUTO0sw==",
      atUsers: [{ dingtalkId: "$:LWCP_v1:$robot" }],
      chatbotCorpId: "dinge8a565fa43e4ad6e",
      chatbotUserId: "$:LWCP_v1:$robot",
      msgId: options.msgId,
      senderNick: "张三",
      isAdmin: false,
      senderStaffId: "manager4525",
      sessionWebhookExpiredTime: Date.now() + 90 * 60 * 1000,
      createAt: Date.now(),
      senderCorpId: "dinge8a565fa43e4ad6e",
      conversationType: "2",
      senderId: "$:LWCP_v1:$sender",
      conversationTitle: "运维群",
      isInAtList: true,
      sessionWebhook: options.webhook ?? `${fixture.platform.url}/robot/sendBySession?session=c5b1a2e4d7f8`,
      text: { content: ` ${options.content}` },
      robotCode: "dingbot123",
      msgtype: "text",
    });

  const post = (body: string, headers = signedHeaders()) =>
    fixture.server.app.request(fixture.callbackPath, { method: "POST", headers, body });

  it("answers a group mention through its session webhook in Markdown, @-mentioning the asker, once per msgId", async () => {
    const body = message({
      msgId: "msgOMkPIYa4LOKLzVZHRxzUQ==",
      content: "How long is the data directory backed up and kept?",
    });
    expect((await post(body)).status).toBe(200);
    expect((await post(body)).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    const sent = fixture.platform.requests.filter((request) => request.path === "/robot/sendBySession");
    expect(sent).toHaveLength(1);
    expect(sent[0]?.url).toBe("/robot/sendBySession?session=c5b1a2e4d7f8");
    const reply = JSON.parse(sent[0]?.body ?? "{}") as {
      msgtype: string;
      markdown: { title: string; text: string };
      at: { atUserIds: string[] };
    };
    expect(reply.msgtype).toBe("markdown");
    expect(reply.at).toEqual({ atUserIds: ["manager4525"] });
    expect(reply.markdown.text.startsWith("@manager4525 ")).toBe(true);
    expect(reply.markdown.text).toContain(
      `[1] [backup.md](${fixturePublicUrl}/workspaces/docs/documents?document=${fixture.documentId}&chunk=${encodeURIComponent(fixture.chunkId)})`,
    );
    expect(botQuestions(fixture.server)).toEqual([
      expect.objectContaining({
        target: "docs",
        details: expect.objectContaining({
          platform: "dingtalk",
          asker: { id: "manager4525", name: "张三" },
        }),
      }),
    ]);
  });

  it("refuses a bad signature, a timestamp more than an hour old and a webhook off the API base URL", async () => {
    const body = message({ msgId: "msg-forged", content: "How long is the data directory kept?" });
    const forged = await post(body, {
      ...signedHeaders(),
      sign: "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
    });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: "unauthorized:signature" } });
    const replayed = await post(body, signedHeaders(Date.now() - 61 * 60 * 1000));
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: { code: "unauthorized:stale_request" } });
    expect((await post(body, { "content-type": "application/json" })).status).toBe(401);
    const elsewhere = message({
      msgId: "msg-elsewhere",
      content: "hi",
      webhook: "http://127.0.0.2:9/robot/sendBySession",
    });
    const refused = await post(elsewhere);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: "invalid:sessionWebhook" } });
    await fixture.server.deps.bots.answerer.idle();
    expect(fixture.platform.requests).toHaveLength(0);
    expect(botQuestions(fixture.server)).toHaveLength(0);
  });
});
