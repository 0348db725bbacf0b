import { LogLevel, WebClient } from "@slack/web-api";
import { Hono } from "hono";
import { z } from "zod";
import type { BotReplyTarget } from "../bot-answerer.js";
import { type BotRouteDeps, parseJsonBody, requireIntegration } from "../bot-route-deps.js";
import { platformConfig } from "../integration-store.js";
import { verifySlackRequest } from "./slack-verify.js";

const urlVerificationSchema = z.object({ type: z.literal("url_verification"), challenge: z.string() });

const eventCallbackSchema = z.object({
  type: z.literal("event_callback"),
  event_id: z.string().min(1),
  event: z.looseObject({
    type: z.string(),
    user: z.string().optional(),
    text: z.string().optional(),
    channel: z.string().optional(),
    channel_type: z.string().optional(),
    ts: z.string().optional(),
    thread_ts: z.string().optional(),
    bot_id: z.string().optional(),
    subtype: z.string().optional(),
  }),
});

/** A question's text without the `<@U…>` mentions of the bot (and anyone else). */
export function stripSlackMentions(text: string): string {
  return text
    .replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, " ")
    .replace(/\s+/g, " ")
    .trim();
}

/**
 * `POST /integrations/:integrationId/slack/events`, Slack's Events API request URL: verifies the `v0` signature and
 * the five-minute timestamp window, answers the `url_verification` challenge, and takes `app_mention` events (in
 * channels) and `message` events in direct messages. The answer goes, through `@slack/web-api`, into the thread of
 * the message (a direct message is answered in its conversation, or its thread when it was in one): a first
 * "looking" message, edited in place (`chat.update`, throttled) as the answer streams and last into the cited answer.
 */
export function createSlackRoutes(deps: BotRouteDeps) {
  return new Hono().post("/integrations/:integrationId/slack/events", async (c) => {
    const integration = requireIntegration(deps.integrations, c.req.param("integrationId"), "slack");
    const { secrets, apiBaseUrl } = platformConfig(integration, "slack");
    const body = await c.req.text();
    verifySlackRequest({
      signingSecret: secrets.signingSecret,
      timestamp: c.req.header("x-slack-request-timestamp"),
      signature: c.req.header("x-slack-signature"),
      body,
      nowMs: deps.now(),
    });
    const payload = parseJsonBody(body, "Slack");
    const challenge = urlVerificationSchema.safeParse(payload);
    if (challenge.success) return c.json({ challenge: challenge.data.challenge }, 200);
    const callback = eventCallbackSchema.safeParse(payload);
    if (!callback.success) return c.body(null, 200);
    const { event } = callback.data;
    const asked = event.type === "app_mention" || (event.type === "message" && event.channel_type === "im");
    // The bot's own messages (and edits, joins, …) are not questions.
    if (!asked || event.bot_id || event.subtype || !event.user || !event.channel || !event.ts) {
      return c.body(null, 200);
    }
    const channel = event.channel;
    const threadTs = event.channel_type === "im" ? event.thread_ts : (event.thread_ts ?? event.ts);
    const client = new WebClient(secrets.botToken, {
      slackApiUrl: `${apiBaseUrl}/`,
      logLevel: LogLevel.ERROR,
      retryConfig: { retries: 2 },
    });
    let placeholderTs: string | undefined;
    const reply: BotReplyTarget = {
      linkStyle: "slack",
      editable: {
        async begin(text) {
          const sent = await client.chat.postMessage({
            channel,
            text,
            ...(threadTs ? { thread_ts: threadTs } : {}),
          });
          if (!sent.ts) throw new Error("Slack chat.postMessage answered without the message's ts");
          placeholderTs = sent.ts;
        },
        async edit(text) {
          if (!placeholderTs) throw new Error("No Slack message to edit");
          await client.chat.update({ channel, ts: placeholderTs, text });
        },
      },
    };
    deps.answerer.accept({
      integration,
      deliveryId: callback.data.event_id,
      text: stripSlackMentions(event.text ?? ""),
      asker: { id: event.user },
      conversation: channel,
      reply,
    });
    return c.body(null, 200);
  });
}
