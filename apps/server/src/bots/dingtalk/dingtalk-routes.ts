import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { z } from "zod";
import { type BotRouteDeps, parseJsonBody, requireIntegration } from "../bot-route-deps.js";
import { platformConfig } from "../integration-store.js";
import { verifyDingtalkRequest } from "./dingtalk-verify.js";

const robotMessageSchema = z.looseObject({
  msgtype: z.string(),
  msgId: z.string().min(1),
  text: z.looseObject({ content: z.string() }).optional(),
  conversationId: z.string(),
  conversationType: z.string().optional(),
  senderId: z.string().optional(),
  senderStaffId: z.string().optional(),
  senderNick: z.string().optional(),
  sessionWebhook: z.string(),
  sessionWebhookExpiredTime: z.number().optional(),
});

/** Sends a message to a conversation's session webhook (valid for the conversation, for a limited time). */
async function postToSessionWebhook(url: string, message: unknown): Promise<void> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(message),
    signal: AbortSignal.timeout(15_000),
  });
  const result = (await response.json().catch(() => ({}))) as { errcode?: number; errmsg?: string };
  if (!response.ok || (result.errcode !== undefined && result.errcode !== 0)) {
    throw new ZhikuError(
      "upstream:dingtalk",
      `DingTalk session webhook failed: HTTP ${response.status}, errcode ${result.errcode ?? "?"} ${result.errmsg ?? ""}`.trim(),
    );
  }
}

/**
 * `POST /integrations/:integrationId/dingtalk/events`, the message receiving address of a DingTalk robot in HTTP
 * mode: the `timestamp` and `sign` headers are verified (one-hour window), and a text message (a direct message, or
 * one that @-mentions the robot in a group; DingTalk sends the robot nothing else) is answered in Markdown through the
 * message's `sessionWebhook`, which must be on the integration's API base URL, @-mentioning the asker in a group.
 * Plain `fetch`: the official `dingtalk-stream` SDK serves Stream mode only (a WebSocket to a gateway whose address it
 * fixes), not HTTP callbacks. DingTalk cannot edit a robot's message, so the answer is sent whole.
 */
export function createDingtalkRoutes(deps: BotRouteDeps) {
  return new Hono().post("/integrations/:integrationId/dingtalk/events", async (c) => {
    const integration = requireIntegration(deps.integrations, c.req.param("integrationId"), "dingtalk");
    const { secrets, apiBaseUrl } = platformConfig(integration, "dingtalk");
    verifyDingtalkRequest({
      appSecret: secrets.appSecret,
      timestamp: c.req.header("timestamp"),
      sign: c.req.header("sign"),
      nowMs: deps.now(),
    });
    const parsed = robotMessageSchema.safeParse(parseJsonBody(await c.req.text(), "DingTalk"));
    if (!parsed.success || parsed.data.msgtype !== "text") return c.json({}, 200);
    const message = parsed.data;
    // The webhook comes from a verified request, yet a reply is posted only where DingTalk's API is.
    let webhook: URL;
    try {
      webhook = new URL(message.sessionWebhook);
    } catch {
      throw new ZhikuError("invalid:sessionWebhook", "The DingTalk sessionWebhook is not a URL");
    }
    if (webhook.origin !== new URL(apiBaseUrl).origin) {
      throw new ZhikuError(
        "invalid:sessionWebhook",
        `The DingTalk sessionWebhook is not on ${new URL(apiBaseUrl).origin}, the integration's API base URL`,
      );
    }
    const group = message.conversationType === "2";
    const staffId = message.senderStaffId;
    deps.answerer.accept({
      integration,
      deliveryId: message.msgId,
      text: message.text?.content ?? "",
      asker: { id: staffId ?? message.senderId ?? "unknown", name: message.senderNick },
      conversation: message.conversationId,
      reply: {
        linkStyle: "markdown",
        // A sessionWebhook only posts new messages (DingTalk cannot edit one sent through it): the answer goes whole.
        send: (text) =>
          postToSessionWebhook(webhook.href, {
            msgtype: "markdown",
            markdown: { title: text.slice(0, 40), text: group && staffId ? `@${staffId} ${text}` : text },
            ...(group && staffId ? { at: { atUserIds: [staffId] } } : {}),
          }),
      },
    });
    return c.json({}, 200);
  });
}
