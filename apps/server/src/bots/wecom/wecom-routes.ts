import { ZhikuError } from "@zhiku/ingest";
import type { Context } from "hono";
import { Hono } from "hono";
import type { BotRouteDeps } from "../bot-route-deps.js";
import { requireIntegration } from "../bot-route-deps.js";
import { type IntegrationRecord, platformConfig } from "../integration-store.js";
import { WecomClient } from "./wecom-client.js";
import { openWecomCiphertext, readWecomXml, type WecomSignedQuery } from "./wecom-crypto.js";

function signedQuery(c: Context): WecomSignedQuery {
  return {
    msgSignature: c.req.query("msg_signature"),
    timestamp: c.req.query("timestamp"),
    nonce: c.req.query("nonce"),
  };
}

/**
 * `/integrations/:integrationId/wecom/callback`, the URL of a WeCom (企业微信) self-built app's API receive settings.
 * `GET` is the URL check: the signed, encrypted `echostr` is answered decrypted. `POST` carries an encrypted message:
 * signature and timestamp are verified, the XML decrypted (corp id and AgentId checked), and a text message is
 * answered with an app message to the user who sent it (`message/send`, plain `fetch`; WeCom's passive reply must
 * come within 5 seconds, too soon for an answer). WeCom cannot edit a sent app message, so the answer is sent whole.
 */
export function createWecomRoutes(deps: BotRouteDeps) {
  const clients = new Map<string, { version: string; client: WecomClient }>();
  const clientFor = (integration: IntegrationRecord): WecomClient => {
    const cached = clients.get(integration.id);
    if (cached?.version === integration.updatedAt) return cached.client;
    const { settings, secrets, apiBaseUrl } = platformConfig(integration, "wecom");
    const client = new WecomClient({
      apiBaseUrl,
      corpId: settings.corpId,
      corpSecret: secrets.corpSecret,
      agentId: settings.agentId,
    });
    clients.set(integration.id, { version: integration.updatedAt, client });
    return client;
  };

  const open = (c: Context, integration: IntegrationRecord, ciphertext: string) => {
    const { settings, secrets } = platformConfig(integration, "wecom");
    return openWecomCiphertext({
      query: signedQuery(c),
      ciphertext,
      token: secrets.token,
      encodingAesKey: secrets.encodingAesKey,
      corpId: settings.corpId,
      nowMs: deps.now(),
    });
  };

  return new Hono()
    .get("/integrations/:integrationId/wecom/callback", (c) => {
      const integration = requireIntegration(deps.integrations, c.req.param("integrationId"), "wecom");
      const echo = open(c, integration, c.req.query("echostr") ?? "");
      return c.text(echo, 200);
    })
    .post("/integrations/:integrationId/wecom/callback", async (c) => {
      const integration = requireIntegration(deps.integrations, c.req.param("integrationId"), "wecom");
      const { settings } = platformConfig(integration, "wecom");
      const envelope = readWecomXml(await c.req.text());
      if (!envelope.Encrypt) {
        throw new ZhikuError("unauthorized:payload", "The WeCom request has no Encrypt element");
      }
      const message = readWecomXml(open(c, integration, envelope.Encrypt));
      if (message.AgentID !== undefined && message.AgentID !== settings.agentId) {
        throw new ZhikuError("unauthorized:app", "The WeCom message is for another app (AgentID)");
      }
      const user = message.FromUserName;
      if (message.MsgType !== "text" || !user || !message.MsgId) return c.text("", 200);
      const client = clientFor(integration);
      deps.answerer.accept({
        integration,
        deliveryId: message.MsgId,
        text: message.Content ?? "",
        asker: { id: user },
        conversation: user,
        reply: {
          linkStyle: "plain",
          // WeCom's message/send cannot edit a sent app message (recalling one is all it offers): sent whole.
          send: (content) => client.sendText({ toUser: user, content }),
        },
      });
      return c.text("", 200);
    });
}
