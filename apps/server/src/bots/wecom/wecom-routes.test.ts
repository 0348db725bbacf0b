import { createCipheriv, createHash, randomBytes } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BotFixture,
  botQuestions,
  createBotFixture,
  fixturePublicUrl,
} from "../../testing/bot-fixture.js";

const corpId = "wx5823bf96d3bd56c7";
const agentId = "1000002";
const corpSecret = "k9TgUq2m0Jz4sXvB7yHnR1cE6dWlPaFo3iKuGbMtN8Q";
const token = "QDG6eK";
/** An EncodingAESKey as WeCom issues it: 43 characters of base64 (32 bytes without the trailing `=`). */
const encodingAesKey = randomBytes(32).toString("base64").slice(0, 43);

/**
 * Encrypts as WeCom's "加解密方案说明" documents, written here from the description (not with the product's code or
 * `@wecom/crypto`): AES-256-CBC, key = Base64_Decode(EncodingAESKey + "="), IV = its first 16 bytes, plaintext =
 * 16 random bytes + 4-byte big-endian length + message + corp id, PKCS#7 padded to 32-byte blocks.
 */
function encrypt(message: string, receiverId = corpId): string {
  const key = Buffer.from(`${encodingAesKey}=`, "base64");
  const body = Buffer.from(message, "utf8");
  const length = Buffer.alloc(4);
  length.writeUInt32BE(body.length);
  const plain = Buffer.concat([randomBytes(16), length, body, Buffer.from(receiverId, "utf8")]);
  const pad = 32 - (plain.length % 32);
  const cipher = createCipheriv("aes-256-cbc", key, key.subarray(0, 16));
  cipher.setAutoPadding(false);
  return Buffer.concat([
    cipher.update(Buffer.concat([plain, Buffer.alloc(pad, pad)])),
    cipher.final(),
  ]).toString("base64");
}

/** msg_signature = SHA1 of token, timestamp, nonce and ciphertext, sorted and joined. */
function signedQuery(ciphertext: string, timestamp = Math.floor(Date.now() / 1000)): URLSearchParams {
  const nonce = String(Math.floor(Math.random() * 1e9));
  const signature = createHash("sha1")
    .update([token, String(timestamp), nonce, ciphertext].sort().join(""))
    .digest("hex");
  return new URLSearchParams({ msg_signature: signature, timestamp: String(timestamp), nonce });
}

function textMessage(options: { msgId: string; content: string; agent?: string }): string {
  return `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1348831860</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${options.content}]]></Content><MsgId>${options.msgId}</MsgId><AgentID>${options.agent ?? agentId}</AgentID></xml>`;
}

function envelope(ciphertext: string): string {
  return `<xml><ToUserName><![CDATA[${corpId}]]></ToUserName><AgentID><![CDATA[${agentId}]]></AgentID><Encrypt><![CDATA[${ciphertext}]]></Encrypt></xml>`;
}

describe("WeCom bot", () => {
  let fixture: BotFixture;

  beforeEach(async () => {
    fixture = await createBotFixture({
      platform: "wecom",
      settings: { corpId, agentId },
      secrets: { corpSecret, token, encodingAesKey },
      reply: (request) => {
        if (request.path === "/cgi-bin/gettoken") {
          return { body: { errcode: 0, errmsg: "ok", access_token: "accesstoken000001", expires_in: 7200 } };
        }
        if (request.path === "/cgi-bin/message/send")
          return { body: { errcode: 0, errmsg: "ok", msgid: "m1" } };
        return undefined;
      },
    });
  });

  afterEach(async () => {
    await fixture.close();
  });

  const post = (ciphertext: string, query = signedQuery(ciphertext)) =>
    fixture.server.app.request(`${fixture.callbackPath}?${query}`, {
      method: "POST",
      headers: { "content-type": "text/xml" },
      body: envelope(ciphertext),
    });

  it("answers the URL check with the decrypted echostr, and refuses a forged one", async () => {
    const echostr = encrypt("1616140317555161061");
    const query = signedQuery(echostr);
    query.set("echostr", echostr);
    const response = await fixture.server.app.request(`${fixture.callbackPath}?${query}`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("1616140317555161061");
    query.set("msg_signature", "0".repeat(40));
    expect((await fixture.server.app.request(`${fixture.callbackPath}?${query}`)).status).toBe(401);
  });

  it("answers a text message with an app message to its sender, with citations, once per MsgId", async () => {
    const ciphertext = encrypt(
      textMessage({
        msgId: "1234567890123456",
        content: "How long is the data directory backed up and kept?",
      }),
    );
    const response = await post(ciphertext);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("");
    // WeCom retries an unanswered callback with the same MsgId: it is not asked again.
    expect((await post(ciphertext)).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();

    const tokenRequest = fixture.platform.requests.find((request) => request.path === "/cgi-bin/gettoken");
    expect(new URL(tokenRequest?.url ?? "", "http://x").searchParams.get("corpid")).toBe(corpId);
    expect(new URL(tokenRequest?.url ?? "", "http://x").searchParams.get("corpsecret")).toBe(corpSecret);
    const sends = fixture.platform.requests.filter((request) => request.path === "/cgi-bin/message/send");
    expect(sends).toHaveLength(1);
    expect(sends[0]?.url).toBe("/cgi-bin/message/send?access_token=accesstoken000001");
    const sent = JSON.parse(sends[0]?.body ?? "{}") as {
      touser: string;
      msgtype: string;
      agentid: number;
      text: { content: string };
    };
    expect(sent).toMatchObject({ touser: "zhangsan", msgtype: "text", agentid: 1000002 });
    expect(sent.text.content).toContain("[1]");
    expect(sent.text.content).toContain(
      `[1] backup.md ${fixturePublicUrl}/workspaces/docs/documents?document=${fixture.documentId}&chunk=${encodeURIComponent(fixture.chunkId)}`,
    );
    expect(botQuestions(fixture.server)).toEqual([
      expect.objectContaining({
        target: "docs",
        details: expect.objectContaining({ platform: "wecom", asker: { id: "zhangsan" } }),
      }),
    ]);
  });

  it("refuses a bad signature, a replayed timestamp, another corp id and another AgentID", async () => {
    const ciphertext = encrypt(textMessage({ msgId: "2", content: "How long is the data directory kept?" }));
    const forged = signedQuery(ciphertext);
    forged.set("msg_signature", "f".repeat(40));
    const refused = await post(ciphertext, forged);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ error: { code: "unauthorized:signature" } });
    const replayed = await post(ciphertext, signedQuery(ciphertext, Math.floor(Date.now() / 1000) - 3600));
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: { code: "unauthorized:stale_request" } });
    expect((await post(encrypt(textMessage({ msgId: "3", content: "hi" }), "wwothercorp"))).status).toBe(401);
    expect((await post(encrypt(textMessage({ msgId: "4", content: "hi", agent: "1000009" })))).status).toBe(
      401,
    );
    await fixture.server.deps.bots.answerer.idle();
    expect(fixture.platform.requests).toHaveLength(0);
    expect(botQuestions(fixture.server)).toHaveLength(0);
  });
});
