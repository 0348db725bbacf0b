import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  type BotFixture,
  botQuestions,
  createBotFixture,
  fixturePublicUrl,
} from "../../testing/bot-fixture.js";

const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";
const botToken = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";

/** Signs a body as Slack documents it ("Verifying requests from Slack"): v0=HMAC-SHA256("v0:ts:body"). */
function slackHeaders(body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex");
  return {
    "content-type": "application/json",
    "x-slack-request-timestamp": String(timestamp),
    "x-slack-signature": `v0=${signature}`,
  };
}

function mention(options: { eventId: string; text: string; ts?: string; threadTs?: string }) {
  return JSON.stringify({
    token: "unused-verification-token",
    team_id: "T061EG9R6",
    api_app_id: "A0MDYCDME",
    type: "event_callback",
    event_id: options.eventId,
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: "app_mention",
      user: "U061F7AUR",
      text: `<@U0LAN0Z89> ${options.text}`,
      ts: options.ts ?? "1515449522.000016",
      ...(options.threadTs ? { thread_ts: options.threadTs } : {}),
      channel: "C0LAN2Q65",
      event_ts: options.ts ?? "1515449522.000016",
    },
  });
}

describe("Slack bot", () => {
  let fixture: BotFixture;

  beforeEach(async () => {
    let sent = 0;
    fixture = await createBotFixture({
      platform: "slack",
      secrets: { botToken, signingSecret },
      reply: (request) => {
        if (request.path === "/chat.postMessage") {
          sent += 1;
          return { body: { ok: true, channel: "C0LAN2Q65", ts: `1515449600.00000${sent}` } };
        }
        if (request.path === "/chat.update") return { body: { ok: true, channel: "C0LAN2Q65", ts: "x" } };
        return undefined;
      },
    });
  });

  afterEach(async () => {
    await fixture.close();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fixture.server.app.request(fixture.callbackPath, { method: "POST", headers, body });

  it("answers the url_verification challenge of a signed request", async () => {
    const body = JSON.stringify({
      token: "x",
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
      type: "url_verification",
    });
    const response = await post(body, slackHeaders(body));
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({
      challenge: "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
    });
  });

  it("answers a mention in its thread through @slack/web-api, streamed into one message edited in place, with citations linked to the passage, once per event id", async () => {
    const body = mention({
      eventId: "Ev0PV52K21",
      text: "How long is the data directory backed up and kept?",
    });
    const response = await post(body, slackHeaders(body));
    expect(response.status).toBe(200);
    // Slack retries a delivery (X-Slack-Retry-Num) with the same event id: it is not asked again.
    const retry = await post(body, { ...slackHeaders(body), "x-slack-retry-num": "1" });
    expect(retry.status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();

    const posted = fixture.platform.requests.filter((request) => request.path === "/chat.postMessage");
    const updated = fixture.platform.requests.filter((request) => request.path === "/chat.update");
    expect(posted).toHaveLength(1);
    // The placeholder, edited at least once while the answer streams, and once more into the cited answer.
    expect(updated.length).toBeGreaterThanOrEqual(2);
    const first = new URLSearchParams(posted[0]?.body);
    expect(posted[0]?.headers.authorization).toBe(`Bearer ${botToken}`);
    expect(first.get("channel")).toBe("C0LAN2Q65");
    expect(first.get("thread_ts")).toBe("1515449522.000016");
    expect(first.get("text")).toBe("Looking through the documents…");
    const edits = updated.map((request) => new URLSearchParams(request.body));
    for (const edit of edits) {
      expect(edit.get("channel")).toBe("C0LAN2Q65");
      expect(edit.get("ts")).toBe("1515449600.000001");
    }
    const streamed = edits.slice(0, -1).map((edit) => edit.get("text") ?? "");
    for (const partial of streamed) {
      expect(partial).toMatch(/ …$/);
      expect(partial).not.toContain("Sources:");
    }
    // Each edit shows more of the same answer.
    for (let index = 1; index < streamed.length; index++) {
      expect(streamed[index]?.length).toBeGreaterThanOrEqual(streamed[index - 1]?.length ?? 0);
    }
    const text = edits.at(-1)?.get("text") ?? "";
    expect(text.startsWith((streamed[0] ?? "").replace(/ …$/, ""))).toBe(true);
    expect(text).toContain("[1]");
    expect(text).toContain("Sources:");
    expect(text).toContain(
      `[1] <${fixturePublicUrl}/workspaces/docs/documents?document=${fixture.documentId}&chunk=${encodeURIComponent(fixture.chunkId)}|backup.md>`,
    );
    const questions = botQuestions(fixture.server);
    expect(questions).toHaveLength(1);
    expect(questions[0]).toMatchObject({
      actor: null,
      target: "docs",
      details: { platform: "slack", integrationId: fixture.integrationId, asker: { id: "U061F7AUR" } },
    });
    // The chat model was asked once.
    expect(fixture.server.standIn.requests.filter((request) => request.path === "/api/chat")).toHaveLength(1);
  });

  it("refuses a bad signature, a replayed timestamp and an unsigned request, asking nothing", async () => {
    const body = mention({ eventId: "Ev0PV52K22", text: "How long are backups kept?" });
    const forged = await post(body, { ...slackHeaders(body), "x-slack-signature": `v0=${"0".repeat(64)}` });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toMatchObject({ error: { code: "unauthorized:signature" } });
    const tampered = await post(body.replace("backups", "secrets"), slackHeaders(body));
    expect(tampered.status).toBe(401);
    const sixMinutesAgo = Math.floor(Date.now() / 1000) - 6 * 60;
    const replayed = await post(body, slackHeaders(body, sixMinutesAgo));
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toMatchObject({ error: { code: "unauthorized:stale_request" } });
    const unsigned = await post(body, { "content-type": "application/json" });
    expect(unsigned.status).toBe(401);
    await fixture.server.deps.bots.answerer.idle();
    expect(fixture.platform.requests).toHaveLength(0);
    expect(botQuestions(fixture.server)).toHaveLength(0);
  });

  it("says it found nothing, in Chinese, to a Chinese question the documents do not answer (query mode)", async () => {
    const body = mention({
      eventId: "Ev0PV52K23",
      text: "火星上的天气怎么样？",
      ts: "1515449700.000100",
      threadTs: "1515449000.000001",
    });
    expect((await post(body, slackHeaders(body))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    const posted = fixture.platform.requests.filter((request) => request.path === "/chat.postMessage");
    expect(new URLSearchParams(posted[0]?.body).get("thread_ts")).toBe("1515449000.000001");
    const final = new URLSearchParams(
      fixture.platform.requests.filter((request) => request.path === "/chat.update").at(-1)?.body,
    ).get("text");
    expect(final).toBe("在这个知识库的文档中没有找到与该问题相关的内容，所以无法根据文档回答。");
  });

  it("ignores the bot's own messages and answers 404 for an integration that does not exist", async () => {
    const own = JSON.stringify({
      type: "event_callback",
      event_id: "Ev0PV52K24",
      event: {
        type: "message",
        channel_type: "im",
        bot_id: "B1",
        user: "U0LAN0Z89",
        text: "hi",
        ts: "1.1",
        channel: "D1",
      },
    });
    expect((await post(own, slackHeaders(own))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    expect(fixture.platform.requests).toHaveLength(0);
    const missing = await fixture.server.app.request("/api/integrations/nope/slack/events", {
      method: "POST",
      headers: slackHeaders(own),
      body: own,
    });
    expect(missing.status).toBe(404);
  });

  it("shows when it last answered, and answers nothing while an admin has switched it off", async () => {
    const body = mention({ eventId: "Ev0PV52K26", text: "How long are backups kept?" });
    expect((await post(body, slackHeaders(body))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    const listed = async () =>
      (
        (await (await fixture.server.request("/api/workspaces/docs/integrations")).json()) as {
          integrations: { lastActivityAt: string | null; lastError: string | null; enabled: boolean }[];
        }
      ).integrations[0];
    const answered = await listed();
    expect(answered?.lastActivityAt).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(answered?.lastError).toBeNull();

    const off = await fixture.server.request(`/api/workspaces/docs/integrations/${fixture.integrationId}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ enabled: false }),
    });
    expect(off.status).toBe(200);
    const requestsBefore = fixture.platform.requests.length;
    const later = mention({ eventId: "Ev0PV52K27", text: "How long are backups kept?" });
    // Still verified (a forged one is refused), and acknowledged so the platform does not retry.
    expect((await post(later, { ...slackHeaders(later), "x-slack-signature": "v0=00" })).status).toBe(401);
    expect((await post(later, slackHeaders(later))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    expect(fixture.platform.requests).toHaveLength(requestsBefore);
    expect(botQuestions(fixture.server)).toHaveLength(1);
    expect((await listed())?.lastActivityAt).toBe(answered?.lastActivityAt);
  });

  it("says it cannot answer, and why, when Ollama is down", async () => {
    fixture.server.standIn.setOptions({ unavailable: true });
    const body = mention({
      eventId: "Ev0PV52K25",
      text: "How long is the data directory backed up and kept?",
    });
    expect((await post(body, slackHeaders(body))).status).toBe(200);
    await fixture.server.deps.bots.answerer.idle();
    const final = new URLSearchParams(
      fixture.platform.requests.filter((request) => request.path === "/chat.update").at(-1)?.body,
    ).get("text");
    expect(final).toMatch(/^Sorry, I cannot answer right now: .*Ollama/);
    const { integrations } = (await (
      await fixture.server.request("/api/workspaces/docs/integrations")
    ).json()) as {
      integrations: { lastError: string | null }[];
    };
    expect(integrations[0]?.lastError).toMatch(/Ollama/);
  });
});
