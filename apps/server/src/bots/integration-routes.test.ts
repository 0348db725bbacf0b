import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestServer, type TestServer } from "../testing/test-server.js";

const slackSecrets = {
  botToken: "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy",
  signingSecret: "8f742231b10e8888abcd99yyyzzz85a5",
};

interface WireIntegration {
  id: string;
  platform: string;
  name: string;
  mode: string;
  settings: Record<string, string>;
  secrets: Record<string, string>;
  callbackUrl: string;
}

describe("integration routes", () => {
  let server: TestServer;

  beforeEach(async () => {
    server = await createTestServer({ environment: { PUBLIC_URL: "https://zhiku.example.com/" } });
    await server.deps.kb.ingest({
      workspace: "docs",
      name: "a.md",
      bytes: new TextEncoder().encode("# A\n\nText."),
    });
  });

  afterEach(async () => {
    await server.close();
  });

  const create = (body: unknown, as = server.admin) =>
    as.request("/api/workspaces/docs/integrations", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });

  it("connects a bot, answers its secrets masked, stores them encrypted and audits without them", async () => {
    const response = await create({ platform: "slack", name: "Support", secrets: slackSecrets });
    expect(response.status).toBe(201);
    const { integration } = (await response.json()) as { integration: WireIntegration };
    expect(integration).toMatchObject({
      platform: "slack",
      name: "Support",
      mode: "query",
      settings: {},
      secrets: { botToken: "••••bqgy", signingSecret: "••••85a5" },
      callbackUrl: `https://zhiku.example.com/api/integrations/${integration.id}/slack/events`,
      enabled: true,
      lastActivityAt: null,
      lastError: null,
    });
    const listed = (await (await server.request("/api/workspaces/docs/integrations")).json()) as {
      integrations: WireIntegration[];
    };
    expect(listed.integrations).toEqual([integration]);
    expect(JSON.stringify(listed)).not.toContain("pdFZKVeTuE8sk7oOcBrzbqgy");

    const row = server.deps.kb.db
      .prepare("SELECT secrets FROM integrations WHERE id = ?")
      .get(integration.id) as {
      secrets: string;
    };
    expect(row.secrets).toMatch(/^v1:/);
    expect(row.secrets).not.toContain("xoxb");
    expect(row.secrets).not.toContain(slackSecrets.signingSecret);

    const events = server.deps.auth.audit
      .list({ limit: 10 })
      .filter((event) => event.action.startsWith("integration."));
    expect(events).toEqual([
      expect.objectContaining({
        action: "integration.created",
        target: "docs",
        actor: { id: server.admin.user.id, email: "admin@example.com" },
        details: { integrationId: integration.id, platform: "slack", name: "Support", mode: "query" },
      }),
    ]);
    expect(JSON.stringify(server.deps.auth.audit.list({ limit: 50 }))).not.toContain(
      slackSecrets.signingSecret,
    );
  });

  it("names a missing or invalid field of the platform", async () => {
    const missing = await create({
      platform: "feishu",
      name: "Lark",
      settings: { appId: "cli_1" },
      secrets: { appSecret: "s" },
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toMatchObject({ error: { code: "invalid:secrets.verificationToken" } });
    const badKey = await create({
      platform: "wecom",
      name: "WeCom",
      settings: { corpId: "ww1", agentId: "1000002" },
      secrets: { corpSecret: "s", token: "t", encodingAesKey: "too-short" },
    });
    expect(badKey.status).toBe(400);
    expect(await badKey.json()).toMatchObject({ error: { code: "invalid:secrets.encodingAesKey" } });
    const unknown = await create({ platform: "teams", name: "x", secrets: {} });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ error: { code: "invalid:platform" } });
  });

  it("changes name, mode and one secret, keeping the others, and audits which fields changed", async () => {
    const { integration } = (await (
      await create({ platform: "slack", name: "Support", secrets: slackSecrets })
    ).json()) as {
      integration: WireIntegration;
    };
    const patched = await server.request(`/api/workspaces/docs/integrations/${integration.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "Helpdesk",
        mode: "chat",
        secrets: { signingSecret: "new-signing-secret-0000-zzzz" },
      }),
    });
    expect(patched.status).toBe(200);
    const { integration: updated } = (await patched.json()) as { integration: WireIntegration };
    expect(updated).toMatchObject({
      name: "Helpdesk",
      mode: "chat",
      secrets: { botToken: "••••bqgy", signingSecret: "••••zzzz" },
    });
    expect(server.deps.bots.integrations.get(integration.id)?.secrets).toEqual({
      botToken: slackSecrets.botToken,
      signingSecret: "new-signing-secret-0000-zzzz",
    });
    const unknownField = await server.request(`/api/workspaces/docs/integrations/${integration.id}`, {
      method: "PATCH",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secrets: { appSecret: "x" } }),
    });
    expect(unknownField.status).toBe(400);
    expect(await unknownField.json()).toMatchObject({ error: { code: "invalid:secrets" } });
    const [event] = server.deps.auth.audit.list({ limit: 1 });
    expect(event).toMatchObject({
      action: "integration.updated",
      details: { changed: ["name", "mode", "secrets.signingSecret"] },
    });
    expect(JSON.stringify(event)).not.toContain("new-signing-secret");
  });

  it("switches a bot off and on, auditing the change", async () => {
    const { integration } = (await (
      await create({ platform: "slack", name: "Support", secrets: slackSecrets })
    ).json()) as { integration: WireIntegration };
    const toggle = (enabled: unknown) =>
      server.request(`/api/workspaces/docs/integrations/${integration.id}`, {
        method: "PATCH",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ enabled }),
      });
    const off = await toggle(false);
    expect(off.status).toBe(200);
    expect(await off.json()).toMatchObject({ integration: { enabled: false, name: "Support" } });
    expect(server.deps.bots.integrations.get(integration.id)?.enabled).toBe(false);
    expect(server.deps.auth.audit.list({ limit: 1 })[0]).toMatchObject({
      action: "integration.updated",
      details: { changed: ["enabled"] },
    });
    const bad = await toggle("no");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: "invalid:enabled" } });
    expect(await (await toggle(true)).json()).toMatchObject({ integration: { enabled: true } });
  });

  it("disconnects a bot: its callback answers 404 at once, and deleting the workspace removes its bots", async () => {
    const { integration } = (await (
      await create({ platform: "dingtalk", name: "Ding", secrets: { appSecret: "a-secret" } })
    ).json()) as {
      integration: WireIntegration;
    };
    const deleted = await server.request(`/api/workspaces/docs/integrations/${integration.id}`, {
      method: "DELETE",
    });
    expect(deleted.status).toBe(204);
    expect(server.deps.auth.audit.list({ limit: 1 })[0]).toMatchObject({
      action: "integration.deleted",
      target: "docs",
    });
    const callback = await server.app.request(`/api/integrations/${integration.id}/dingtalk/events`, {
      method: "POST",
      body: "{}",
    });
    expect(callback.status).toBe(404);
    expect(
      (await server.request(`/api/workspaces/docs/integrations/${integration.id}`, { method: "DELETE" }))
        .status,
    ).toBe(404);

    await create({ platform: "dingtalk", name: "Ding 2", secrets: { appSecret: "a-secret" } });
    expect(server.deps.bots.integrations.workspaceIds()).toHaveLength(1);
    expect((await server.request("/api/workspaces/docs", { method: "DELETE" })).status).toBe(204);
    expect(server.deps.bots.integrations.workspaceIds()).toEqual([]);
  });

  it("lets only admins manage bots, even a workspace's owner is refused", async () => {
    const owner = await server.createUser();
    server.deps.auth.accounts.setMember({
      workspaceId: server.deps.kb.requireWorkspace("docs").id,
      userId: owner.user.id,
      role: "owner",
    });
    expect((await owner.request("/api/workspaces/docs/integrations")).status).toBe(403);
    expect((await create({ platform: "slack", name: "x", secrets: slackSecrets }, owner)).status).toBe(403);
    expect((await server.app.request("/api/workspaces/docs/integrations")).status).toBe(401);
  });
});
