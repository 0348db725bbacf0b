import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Integration, Workspace } from "../lib/api-types";
import { admin, errorJson, fakeApi, json, renderApp } from "../testing/fake-api";

const docs: Workspace = {
  id: "w-docs",
  slug: "docs",
  name: "Docs",
  embedModel: "bge-m3",
  embedDimension: 1024,
  settings: {},
  refusal: { cutoff: 0.35, fullTextCutoff: null, source: "default", calibration: null },
  createdAt: "2026-01-05T09:00:00Z",
  updatedAt: "2026-01-05T09:00:00Z",
  myRole: "owner",
};

const slackBot: Integration = {
  id: "i-slack",
  platform: "slack",
  name: "Support channel",
  mode: "query",
  settings: {},
  secrets: { botToken: "••••bqgy", signingSecret: "••••85a5" },
  callbackUrl: "https://zhiku.example.com/api/integrations/i-slack/slack/events",
  enabled: true,
  lastActivityAt: "2026-01-06T10:30:00Z",
  lastError: "An API error occurred: invalid_auth",
  createdAt: "2026-01-06T09:00:00Z",
  updatedAt: "2026-01-06T09:00:00Z",
};

/** The server's masking: the last four characters of a long secret. */
const mask = (value: string) => (value.length >= 16 ? `••••${value.slice(-4)}` : "••••");

function integrationsServer(initial: Integration[], role: "admin" | "member" = "admin") {
  let integrations = [...initial];
  const network = fakeApi({
    "GET /api/auth/status": () => json({ needsSetup: false, user: { ...admin, role } }),
    "GET /api/workspaces": () => json({ workspaces: [docs] }),
    "GET /api/workspaces/docs/integrations": () => json({ integrations }),
    "POST /api/workspaces/docs/integrations": (call) => {
      const body = call.body as {
        platform: Integration["platform"];
        name: string;
        mode: Integration["mode"];
        settings: Record<string, string>;
        secrets: Record<string, string>;
      };
      if (body.platform === "wecom" && body.secrets.encodingAesKey?.length !== 43) {
        return errorJson(
          "invalid:secrets.encodingAesKey",
          "secrets.encodingAesKey: must be the 43-character EncodingAESKey from the app's API receive settings",
          400,
        );
      }
      const created: Integration = {
        ...slackBot,
        id: `i-${body.platform}`,
        platform: body.platform,
        name: body.name,
        mode: body.mode,
        settings: body.settings,
        secrets: Object.fromEntries(Object.entries(body.secrets).map(([key, value]) => [key, mask(value)])),
        callbackUrl: `/api/integrations/i-${body.platform}/${body.platform}/events`,
        lastActivityAt: null,
        lastError: null,
      };
      integrations = [...integrations, created];
      return json({ integration: created }, 201);
    },
    "PATCH /api/workspaces/docs/integrations/i-slack": (call) => {
      const body = call.body as Partial<Integration> & { secrets?: Record<string, string> };
      const current = integrations.find((item) => item.id === "i-slack") ?? slackBot;
      const updated: Integration = {
        ...current,
        ...(body.name === undefined ? {} : { name: body.name }),
        ...(body.mode === undefined ? {} : { mode: body.mode }),
        ...(body.enabled === undefined ? {} : { enabled: body.enabled }),
        secrets: {
          ...current.secrets,
          ...Object.fromEntries(Object.entries(body.secrets ?? {}).map(([key, value]) => [key, mask(value)])),
        },
      };
      integrations = integrations.map((item) => (item.id === updated.id ? updated : item));
      return json({ integration: updated });
    },
    "DELETE /api/workspaces/docs/integrations/i-slack": () => {
      integrations = integrations.filter((item) => item.id !== "i-slack");
      return new Response(null, { status: 204 });
    },
  });
  renderApp(network, "/settings/integrations?workspace=docs");
  return network;
}

describe("the Integrations settings page", () => {
  afterEach(() => {
    cleanup();
    vi.restoreAllMocks();
  });

  it("lists a workspace's bots with the callback URL to copy, secrets masked, and the last activity and error", async () => {
    const user = userEvent.setup();
    integrationsServer([slackBot]);
    const card = (await screen.findByRole("heading", { name: "Support channel" })).closest("article");
    if (!card) throw new Error("no card");
    const inCard = within(card as HTMLElement);
    expect(inCard.getByText(slackBot.callbackUrl)).toBeTruthy();
    expect(inCard.getByText(/Event Subscriptions → Request URL/)).toBeTruthy();
    expect(inCard.getByText("••••bqgy")).toBeTruthy();
    expect(inCard.getByText("Bot User OAuth Token")).toBeTruthy();
    expect(inCard.getByText(/^Last question: /)).toBeTruthy();
    expect(inCard.getByText("The last question failed: An API error occurred: invalid_auth")).toBeTruthy();
    await user.click(inCard.getByRole("button", { name: "Copy the callback URL of Support channel" }));
    expect(await navigator.clipboard.readText()).toBe(slackBot.callbackUrl);
    expect(inCard.getByRole("button", { name: "Copy the callback URL of Support channel" }).textContent).toBe(
      "Copied",
    );
    expect(screen.getByRole("link", { name: "Integrations" })).toBeTruthy();
  });

  it("connects a Feishu bot with that platform's fields and shows it with its secrets masked and its callback URL", async () => {
    const user = userEvent.setup();
    const network = integrationsServer([]);
    await screen.findByText("No chat bot is connected to this workspace yet.");
    await user.selectOptions(screen.getByLabelText("Platform"), "feishu");
    expect(screen.queryByLabelText("Signing Secret")).toBeNull();
    await user.type(screen.getByLabelText("Name"), "飞书答疑");
    await user.type(screen.getByLabelText("App ID"), "cli_9f2b7c1d0e3a4b5c");
    await user.type(screen.getByLabelText("App Secret"), "dskLLdkasdjlasdKK7FbXl4bEu8bQpU6");
    await user.type(screen.getByLabelText("Verification Token"), "v2Xq9wYt7LrPz0MdNk3Hs1Ae");
    await user.type(screen.getByLabelText("Encrypt Key"), "kudryavka-encrypt-key-0123");
    expect((screen.getByLabelText("App Secret") as HTMLInputElement).type).toBe("password");
    await user.click(screen.getByRole("button", { name: "Connect bot" }));

    const card = (await screen.findByRole("heading", { name: "飞书答疑" })).closest("article") as HTMLElement;
    expect(network.calls.find((call) => call.method === "POST")?.body).toEqual({
      platform: "feishu",
      name: "飞书答疑",
      mode: "query",
      settings: { appId: "cli_9f2b7c1d0e3a4b5c" },
      secrets: {
        appSecret: "dskLLdkasdjlasdKK7FbXl4bEu8bQpU6",
        verificationToken: "v2Xq9wYt7LrPz0MdNk3Hs1Ae",
        encryptKey: "kudryavka-encrypt-key-0123",
      },
    });
    const inCard = within(card);
    // No PUBLIC_URL on the server: the path is completed with this page's address, and the page says so.
    expect(
      inCard.getByText(`${window.location.origin}/api/integrations/i-feishu/feishu/events`),
    ).toBeTruthy();
    expect(inCard.getByText(/PUBLIC_URL is not set/)).toBeTruthy();
    expect(inCard.getByText("••••QpU6")).toBeTruthy();
    expect(inCard.getByText("No question asked yet.")).toBeTruthy();
    expect(document.body.textContent).not.toContain("dskLLdkasdjlasdKK7FbXl4bEu8bQpU6");
    // The form is empty again for the next bot.
    expect((screen.getByLabelText("App Secret") as HTMLInputElement).value).toBe("");
  });

  it("names the fields left empty and sends nothing; shows the server's error naming a bad field", async () => {
    const user = userEvent.setup();
    const network = integrationsServer([]);
    await screen.findByText("No chat bot is connected to this workspace yet.");
    await user.type(screen.getByLabelText("Name"), "Slack");
    await user.type(screen.getByLabelText("Bot User OAuth Token"), "xoxb-1");
    await user.click(screen.getByRole("button", { name: "Connect bot" }));
    expect(screen.getByRole("alert").textContent).toBe("Fill in: Signing Secret.");
    expect(network.calls.some((call) => call.method === "POST")).toBe(false);

    await user.selectOptions(screen.getByLabelText("Platform"), "wecom");
    await user.type(screen.getByLabelText("Corp ID"), "ww1234");
    await user.type(screen.getByLabelText("AgentId"), "1000002");
    await user.type(screen.getByLabelText("Secret"), "corp-secret");
    await user.type(screen.getByLabelText("Token"), "token");
    await user.type(screen.getByLabelText("EncodingAESKey"), "too-short");
    await user.click(screen.getByRole("button", { name: "Connect bot" }));
    await waitFor(() => expect(screen.getByRole("alert").textContent).toContain("secrets.encodingAesKey"));
  });

  it("edits a bot keeping a secret left empty, switches it off, and disconnects it only when confirmed", async () => {
    const user = userEvent.setup();
    const network = integrationsServer([slackBot]);
    await screen.findByRole("heading", { name: "Support channel" });
    await user.click(screen.getByRole("button", { name: "Edit" }));
    const editor = screen.getByRole("article", { name: "Editing Support channel" });
    const inEditor = within(editor);
    expect((inEditor.getByLabelText("Bot User OAuth Token") as HTMLInputElement).value).toBe("");
    expect(inEditor.getByText("Stored: ••••bqgy. Leave empty to keep it.")).toBeTruthy();
    await user.clear(inEditor.getByLabelText("Name"));
    await user.type(inEditor.getByLabelText("Name"), "Helpdesk");
    await user.type(inEditor.getByLabelText("Signing Secret"), "new-signing-secret-0000-zzzz");
    await user.click(inEditor.getByRole("button", { name: "Save changes" }));
    await screen.findByRole("heading", { name: "Helpdesk" });
    const patch = network.calls.find((call) => call.method === "PATCH");
    expect(patch?.body).toEqual({
      name: "Helpdesk",
      mode: "query",
      settings: {},
      secrets: { signingSecret: "new-signing-secret-0000-zzzz" },
    });
    expect(screen.getByText("••••zzzz")).toBeTruthy();

    await user.click(screen.getByRole("button", { name: "Switch off" }));
    await screen.findByText("Switched off");
    expect(network.calls.filter((call) => call.method === "PATCH").at(-1)?.body).toEqual({ enabled: false });
    expect(screen.getByRole("button", { name: "Switch on" })).toBeTruthy();

    const confirm = vi.spyOn(window, "confirm").mockReturnValueOnce(false).mockReturnValueOnce(true);
    await user.click(screen.getByRole("button", { name: "Disconnect the bot Helpdesk" }));
    expect(network.calls.some((call) => call.method === "DELETE")).toBe(false);
    await user.click(screen.getByRole("button", { name: "Disconnect the bot Helpdesk" }));
    await screen.findByText("No chat bot is connected to this workspace yet.");
    expect(confirm).toHaveBeenCalledTimes(2);
    expect(confirm.mock.calls[0]?.[0]).toContain("Disconnect the bot “Helpdesk”?");
    expect(network.calls.filter((call) => call.method === "DELETE")).toHaveLength(1);
  });

  it("is for administrators only: a member sees neither the section nor its bots", async () => {
    const network = integrationsServer([slackBot], "member");
    expect(await screen.findByText("Only administrators manage integrations.")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Integrations" })).toBeNull();
    expect(network.calls.some((call) => call.path.endsWith("/integrations"))).toBe(false);
  });
});
