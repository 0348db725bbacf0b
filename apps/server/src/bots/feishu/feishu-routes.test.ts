import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BotFixture,
  botQuestions,
  createBotFixture,
  fixturePublicUrl,
} from "../../testing/bot-fixture.js";

const appId = "cli_9f2b7c1d0e3a4b5c";
const appSecret = "dskLLdkasdjlasdKK7FbXl4bEu8bQpU6";
const verificationToken = "v2Xq9wYt7LrPz0MdNk3Hs1Ae";
const encryptKey = "kudryavka-encrypt-key-0123";

/** Encrypts a payload as Feishu documents it: AES-256-CBC, key SHA-256(Encrypt Key), a random IV before the ciphertext. */
function encrypt(payload: unknown): string {
  const key = createHash("sha256").update(encryptKey).digest();
  const iv = randomBytes(16);
  const cipher = createCipheriv("aes-256-cbc", key, iv);
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), "utf8"), cipher.final()]);
  return JSON.stringify({ encrypt: Buffer.concat([iv, ciphertext]).toString("base64") });
}

/** Signs a body as Feishu does: X-Lark-Signature = hex SHA-256 of timestamp + nonce + Encrypt Key + body. */
function signedHeaders(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const nonce = randomBytes(8).toString("hex");
  return {
    "content-type": "application/json",
    "x-lark-request-timestamp": String(timestamp),
    "x-lark-request-nonce": nonce,
    "x-lark-signature": createHash("sha256")
      .update(String(timestamp) + nonce + encryptKey + body)
      .digest("hex"),
  };
}

function messageEvent(options: {
  eventId: string;
  text: string;
  chatType?: "p2p" | "group";
  threadId?: string;
  token?: string;
}) {
  const group = options.chatType === "group";
  return {
    schema: "2.0",
    header: {
      event_id: options.eventId,
      token: options.token ?? verificationToken,
      create_time: String(Date.now()),
      event_type: "im.message.receive_v1",
      tenant_key: "736588c9260f175e",
      app_id: appId,
    },
    event: {
      sender: {
        sender_id: {
          union_id: "on_8ed6aa67826108097d9ee143816345",
          user_id: "e33ggbyz",
          open_id: "ou_84aad35d084aa403a838cf73ee18467",
        },
        sender_type: "user",
        tenant_key: "736588c9260f175e",
      },
      message: {
        message_id: "om_5ce6d572455d361153b7cb51da133945",
        root_id: options.threadId ? "om_root" : "",
        parent_id: "",
        create_time: String(Date.now()),
        chat_id: "oc_5ce6d572455d361153b7xx51da133945",
        ...(options.threadId ? { thread_id: options.threadId } : {}),
        chat_type: options.chatType ?? "p2p",
        message_type: "text",
        content: JSON.stringify({ text: group ? `@_user_1 ${options.text}` : options.text }),
        mentions: group
          ? [{ key: "@_user_1", id: { open_id: "ou_bot" }, name: "Zhiku", tenant_key: "736588c9260f175e" }]
          : [],
      },
    },
  };
}

describe("Feishu/Lark bot", () => {
  let fixture: BotFixture;

  beforeEach(async () => {
    fixture = await createBotFixture({
      platform: "feishu",
      settings: { appId },
      secrets: { appSecret, verificationToken, encryptKey },
      reply: (request) => {
        if (request.path === "/open-apis/auth/v3/tenant_access_token/internal") {
          return {
            body: { code: 0, msg: "ok", tenant_access_token: "t-g1044ghJRUIJJ5ELPPOTSKSS", expire: 7200 },
          };
        }
        if (request.path.endsWith("/reply"))
          return { body: { code: 0, msg: "success", data: { message_id: "om_reply_1" } } };
        if (request.path === "/open-apis/im/v1/messages/om_reply_1")
          return { body: { code: 0, msg: "success", data: {} } };
        return undefined;
      },
    });
  });

  afterEach(async () => {
    await fixture.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fixture.server.app.request(fixture.callbackPath, { method: "POST", headers, body });

  it("answers the encrypted URL-verification challenge when its token matches, and refuses another token", async () => {
    const body = encrypt({
      challenge: "ajls384kdjx98XX",
      token: verificationToken,
      type: "url_verification",
    });
    const response = await post(body, { "content-type": "application/json" });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ challenge: "ajls384kdjx98XX" });
    const wrong = encrypt({ challenge: "ajls384kdjx98XX", token: "another", type: "url_verification" });
    expect((await post(wrong, { "content-type": "application/json" })).status).toBe(401);
  });

  it("replies to a direct message through @larksuiteoapi/node-sdk, editing its first reply as the answer streams and last into the cited answer, once per event id", async () => {
    const body = encrypt(
      messageEvent({
        eventId: "5e3702a84e847582be8db7fb73283c02",
        text: "How long is the data directory backed up and kept?",
      }),
    );
    expect((await post(body, signedHeaders(body))).status).toBe(200);
    // Feishu retries a delivery with the same event id (re-signed): it is not asked again.
    expect((await post(body, signedHeaders(body))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();

    const token = fixture.platform.requests.find((request) =>
      request.path.endsWith("tenant_access_token/internal"),
    );
    expect(JSON.parse(token?.body ?? "{}")).toEqual({ app_id: appId, app_secret: appSecret });
    const replies = fixture.platform.requests.filter((request) => request.path.endsWith("/reply"));
    expect(replies).toHaveLength(1);
    expect(replies[0]?.path).toBe("/open-apis/im/v1/messages/om_5ce6d572455d361153b7cb51da133945/reply");
    expect(replies[0]?.headers.authorization).toBe("Bearer t-g1044ghJRUIJJ5ELPPOTSKSS");
    expect(JSON.parse(replies[0]?.body ?? "{}")).toMatchObject({
      msg_type: "text",
      content: JSON.stringify({ text: "Looking through the documents…" }),
      reply_in_thread: false,
    });
    const edits = fixture.platform.requests.filter((request) => request.method === "PUT");
    // At least one edit while the answer streams, one more for the cited answer, within Feishu's 20 edits.
    expect(edits.length).toBeGreaterThanOrEqual(2);
    expect(edits.length).toBeLessThanOrEqual(20);
    const texts = edits.map((edit) => {
      expect(edit.path).toBe("/open-apis/im/v1/messages/om_reply_1");
      const sent = JSON.parse(edit.body) as { msg_type: string; content: string };
      expect(sent.msg_type).toBe("text");
      return (JSON.parse(sent.content) as { text: string }).text;
    });
    for (const partial of texts.slice(0, -1)) {
      expect(partial).toMatch(/ …$/);
      expect(partial).not.toContain(fixturePublicUrl);
    }
    const text = texts.at(-1) ?? "";
    expect(text).toContain("[1]");
    expect(text).toContain(
      `[1] backup.md ${fixturePublicUrl}/workspaces/docs/documents?document=${fixture.documentId}&chunk=${encodeURIComponent(fixture.chunkId)}`,
    );
    expect(botQuestions(fixture.server)).toEqual([
      expect.objectContaining({
        target: "docs",
        details: expect.objectContaining({
          platform: "feishu",
          asker: { id: "ou_84aad35d084aa403a838cf73ee18467" },
        }),
      }),
    ]);
  });

  it("answers a group mention in its thread, the mention removed from the question", async () => {
    const body = encrypt(
      messageEvent({
        eventId: "evt-group-1",
        text: "火星上的天气怎么样？",
        chatType: "group",
        threadId: "omt_1a2b",
      }),
    );
    expect((await post(body, signedHeaders(body))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    const reply = fixture.platform.requests.find((request) => request.path.endsWith("/reply"));
    expect(JSON.parse(reply?.body ?? "{}")).toMatchObject({ reply_in_thread: true });
    const edit = fixture.platform.requests.filter((request) => request.method === "PUT").at(-1);
    const content = (JSON.parse(edit?.body ?? "{}") as { content: string }).content;
    expect(JSON.parse(content)).toEqual({
      text: "在这个知识库的文档中没有找到与该问题相关的内容，所以无法根据文档回答。",
    });
    const embedded = JSON.stringify(
      fixture.server.standIn.requests.filter((request) => request.path === "/api/embed").at(-1)?.body,
    );
    expect(embedded).toContain("火星上的天气怎么样");
    expect(embedded).not.toContain("@_user_1");
  });

  it("refuses a bad signature, a replayed timestamp, an unsigned event, a plaintext body and a wrong token", async () => {
    const body = encrypt(
      messageEvent({ eventId: "evt-forged", text: "How long is the data directory kept?" }),
    );
    const forged = await post(body, { ...signedHeaders(body), "x-lark-signature": "0".repeat(64) });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: "unauthorized:signature" } });
    const replayed = await post(body, signedHeaders(body, Math.floor(Date.now() / 1000) - 10 * 60));
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: { code: "unauthorized:stale_request" } });
    expect((await post(body, { "content-type": "application/json" })).status).toBe(401);
    const plain = JSON.stringify(messageEvent({ eventId: "evt-plain", text: "hello" }));
    expect((await post(plain, signedHeaders(plain))).status).toBe(401);
    const wrongToken = encrypt(messageEvent({ eventId: "evt-token", text: "hello", token: "not-the-token" }));
    const refused = await post(wrongToken, signedHeaders(wrongToken));
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "unauthorized:token" } });
    await fixture.server.deps.bots.answerer.idle();
    expect(fixture.platform.requests).toHaveLength(0);
    expect(botQuestions(fixture.server)).toHaveLength(0);
  });
});
