import { type Cache, Client, LoggerLevel } from "@larksuiteoapi/node-sdk";
import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { z } from "zod";
import type { Logger } from "../../logger.js";
import type { BotReplyTarget } from "../bot-answerer.js";
import { type BotRouteDeps, parseJsonBody, requireIntegration } from "../bot-route-deps.js";
import { type IntegrationRecord, platformConfig } from "../integration-store.js";
import { badSignature, signaturesMatch } from "../verify.js";
import { decryptFeishuPayload, verifyFeishuRequest } from "./feishu-crypto.js";

const encryptedSchema = z.object({ encrypt: z.string().min(1) });
const urlVerificationSchema = z.object({
  type: z.literal("url_verification"),
  challenge: z.string(),
  token: z.string(),
});
const messageEventSchema = z.object({
  schema: z.literal("2.0"),
  header: z.looseObject({
    event_id: z.string().min(1),
    event_type: z.string(),
    token: z.string(),
    app_id: z.string().optional(),
  }),
  event: z.looseObject({
    sender: z
      .looseObject({
        sender_id: z
          .looseObject({ open_id: z.string().optional(), user_id: z.string().optional() })
          .optional(),
        sender_type: z.string().optional(),
      })
      .optional(),
    message: z
      .looseObject({
        message_id: z.string(),
        chat_id: z.string(),
        chat_type: z.string(),
        message_type: z.string(),
        content: z.string(),
        thread_id: z.string().optional(),
        mentions: z.array(z.looseObject({ key: z.string() })).optional(),
      })
      .optional(),
  }),
});

/** Feishu lets a text message be edited (`PUT /im/v1/messages/:message_id`) at most 20 times. */
const feishuMaxEdits = 20;

/** A text message's text without its `@_user_n` mention placeholders. */
export function feishuQuestionText(content: string, mentionKeys: string[]): string {
  let text = "";
  try {
    text = String((JSON.parse(content) as { text?: unknown }).text ?? "");
  } catch {
    return "";
  }
  for (const key of mentionKeys) text = text.split(key).join(" ");
  return text.replace(/\s+/g, " ").trim();
}

/** The answer of a Feishu API call, which reports failures in `code` rather than the HTTP status. */
function requireOk(result: { code?: number | undefined; msg?: string | undefined }, call: string): void {
  if (result.code !== undefined && result.code !== 0) {
    throw new ZhikuError(
      "upstream:feishu",
      `Feishu ${call} failed: ${result.code} ${result.msg ?? ""}`.trim(),
    );
  }
}

/** The Feishu SDK's log lines, into the server's log (errors and warnings only). */
function sdkLogger(logger: Logger) {
  const quiet = () => {};
  return {
    error: (...message: unknown[]) =>
      logger.error({ sdk: "@larksuiteoapi/node-sdk", message }, "Feishu SDK error"),
    warn: (...message: unknown[]) =>
      logger.warn({ sdk: "@larksuiteoapi/node-sdk", message }, "Feishu SDK warning"),
    info: quiet,
    debug: quiet,
    trace: quiet,
  };
}

/** A token cache of one client, so integrations with the same app id on different servers never share tokens. */
function ownCache(): Cache {
  type Key = Parameters<Cache["get"]>[0];
  const entries = new Map<string, { value: unknown; expiresAt: number }>();
  const name = (key: Key, namespace?: string) => `${namespace ?? ""}\u0000${String(key)}`;
  return {
    async set(key, value, expire, options) {
      entries.set(name(key, options?.namespace), { value, expiresAt: expire ?? Number.POSITIVE_INFINITY });
      return true;
    },
    async get(key, options) {
      const entry = entries.get(name(key, options?.namespace));
      return entry && entry.expiresAt > Date.now() ? entry.value : undefined;
    },
  };
}

/**
 * `POST /integrations/:integrationId/feishu/events`, the Request URL of a Feishu/Lark app's event subscription
 * (Encrypt Key required). The payload is decrypted (AES-256-CBC); the URL-verification challenge is answered when
 * its Verification Token matches; events must carry a valid `X-Lark-Signature` within the timestamp window and the
 * Verification Token. `im.message.receive_v1` text messages in a direct chat, or mentioning the bot in a group, are
 * answered through `@larksuiteoapi/node-sdk` as a reply to the message (in its thread when it was in one): a first
 * "looking" reply, edited in place (`im.message.update`, throttled, within Feishu's 20 edits of a message) as the
 * answer streams and last into the cited answer.
 */
export function createFeishuRoutes(deps: BotRouteDeps) {
  const clients = new Map<string, { version: string; client: Client }>();
  const clientFor = (integration: IntegrationRecord): Client => {
    const cached = clients.get(integration.id);
    if (cached?.version === integration.updatedAt) return cached.client;
    const { settings, secrets, apiBaseUrl } = platformConfig(integration, "feishu");
    const client = new Client({
      appId: settings.appId,
      appSecret: secrets.appSecret,
      domain: apiBaseUrl,
      loggerLevel: LoggerLevel.warn,
      logger: sdkLogger(deps.logger),
      cache: ownCache(),
    });
    clients.set(integration.id, { version: integration.updatedAt, client });
    return client;
  };

  return new Hono().post("/integrations/:integrationId/feishu/events", async (c) => {
    const integration = requireIntegration(deps.integrations, c.req.param("integrationId"), "feishu");
    const { settings, secrets } = platformConfig(integration, "feishu");
    const body = await c.req.text();
    const envelope = encryptedSchema.safeParse(parseJsonBody(body, "Feishu"));
    if (!envelope.success) {
      throw new ZhikuError(
        "unauthorized:payload",
        "The Feishu request is not encrypted; this integration takes only encrypted events (set the Encrypt Key)",
      );
    }
    // Only the URL-verification challenge comes without signature headers: decrypting it and its token prove it
    // comes from the app's owner. Everything signed is verified before it is decrypted.
    const signed = c.req.header("x-lark-signature") !== undefined;
    if (signed) {
      verifyFeishuRequest({
        encryptKey: secrets.encryptKey,
        timestamp: c.req.header("x-lark-request-timestamp"),
        nonce: c.req.header("x-lark-request-nonce"),
        signature: c.req.header("x-lark-signature"),
        body,
        nowMs: deps.now(),
      });
    }
    const payload = parseJsonBody(decryptFeishuPayload(secrets.encryptKey, envelope.data.encrypt), "Feishu");
    const challenge = urlVerificationSchema.safeParse(payload);
    if (challenge.success) {
      if (!signaturesMatch(challenge.data.token, secrets.verificationToken)) {
        throw new ZhikuError("unauthorized:token", "The Feishu verification token does not match");
      }
      return c.json({ challenge: challenge.data.challenge }, 200);
    }
    if (!signed) throw badSignature("Feishu");
    const parsed = messageEventSchema.safeParse(payload);
    if (!parsed.success) return c.json({}, 200);
    const { header, event } = parsed.data;
    if (!signaturesMatch(header.token, secrets.verificationToken)) {
      throw new ZhikuError("unauthorized:token", "The Feishu verification token does not match");
    }
    if (header.app_id !== undefined && header.app_id !== settings.appId) {
      throw new ZhikuError("unauthorized:app", "The Feishu event is for another app");
    }
    const message = event.message;
    const mentions = message?.mentions ?? [];
    const asked =
      header.event_type === "im.message.receive_v1" &&
      message?.message_type === "text" &&
      event.sender?.sender_type === "user" &&
      (message.chat_type === "p2p" || mentions.length > 0);
    if (!asked || !message) return c.json({}, 200);

    const client = clientFor(integration);
    const replyInThread = message.thread_id !== undefined && message.thread_id !== "";
    let placeholderId: string | undefined;
    const content = (text: string) => JSON.stringify({ text });
    const replyTo = async (text: string) => {
      const sent = await client.im.message.reply({
        path: { message_id: message.message_id },
        data: { msg_type: "text", content: content(text), reply_in_thread: replyInThread },
      });
      requireOk(sent, "message.reply");
      return sent.data?.message_id;
    };
    const reply: BotReplyTarget = {
      linkStyle: "plain",
      editable: {
        async begin(text) {
          placeholderId = await replyTo(text);
          if (!placeholderId) throw new Error("Feishu message.reply answered without the message's id");
        },
        async edit(text) {
          if (!placeholderId) throw new Error("No Feishu message to edit");
          const updated = await client.im.message.update({
            path: { message_id: placeholderId },
            data: { msg_type: "text", content: content(text) },
          });
          requireOk(updated, "message.update");
        },
        maxEdits: feishuMaxEdits,
      },
    };
    const sender = event.sender?.sender_id;
    deps.answerer.accept({
      integration,
      deliveryId: header.event_id,
      text: feishuQuestionText(
        message.content,
        mentions.map((mention) => mention.key),
      ),
      asker: { id: sender?.open_id ?? sender?.user_id ?? "unknown" },
      conversation: message.chat_id,
      reply,
    });
    return c.json({}, 200);
  });
}
