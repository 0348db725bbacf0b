// @vitest-environment node
/**
 * Settings → Integrations in real headless Chromium against the built server: the admin connects a Slack bot with
 * its token and signing secret, sees the secrets masked (the full token is nowhere on the page, nor in what the API
 * answers) and the callback URL; Slack's url_verification, signed with the secret typed into the page, is answered
 * at that URL. Switching the bot off shows it off. Screenshots in English.
 */
import { createHmac } from "node:crypto";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type RunningZhiku, screenshot, signIn, startZhiku } from "./harness";

const adminEmail = "admin@zhiku.test";
const adminPassword = "e2e admin password";
const botToken = "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy";
const signingSecret = "8f742231b10e8888abcd99yyyzzz85a5";

describe("Integrations settings in Chromium", () => {
  let zhiku: RunningZhiku;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];

  beforeAll(async () => {
    zhiku = await startZhiku({ env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword } });
    browser = await launchChromium();
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 900 } });
    page = await context.newPage();
    page.on("pageerror", (error) => errors.push(error.message));
    await signIn(page, { baseUrl: zhiku.baseUrl, email: adminEmail, password: adminPassword });
    const created = await page.evaluate(async () => {
      const response = await fetch("/api/workspaces", {
        method: "POST",
        headers: { "content-type": "application/json", "x-zhiku-csrf": "1" },
        body: JSON.stringify({ name: "Handbook" }),
      });
      return response.status;
    });
    expect(created).toBe(201);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await zhiku?.stop();
  });

  it("connects a Slack bot: secrets masked, the callback URL answers Slack's signed challenge", async () => {
    await page.goto(`${zhiku.baseUrl}/settings`);
    await page.getByRole("link", { name: "Integrations" }).click();
    await page.waitForURL(/\/settings\/integrations/);
    await page.getByText("No chat bot is connected to this workspace yet.").waitFor();
    await page.getByLabel("Name", { exact: true }).fill("Support channel");
    await page.getByLabel("Bot User OAuth Token").fill(botToken);
    await page.getByLabel("Signing Secret").fill(signingSecret);
    await page.getByRole("button", { name: "Connect bot" }).click();

    const card = page.locator("article.integration-card", { hasText: "Support channel" });
    await card.getByText("••••bqgy").waitFor();
    await card.getByText("••••85a5").waitFor();
    const pageText = (await page.locator("body").textContent()) ?? "";
    expect(pageText).not.toContain(botToken);
    expect(pageText).not.toContain(signingSecret);
    const callbackUrl = (await card.locator("code.widget-snippet").textContent()) ?? "";
    expect(callbackUrl).toMatch(
      new RegExp(`^${zhiku.baseUrl.replace(/[.]/g, "\\.")}/api/integrations/[0-9a-f-]{36}/slack/events$`),
    );
    await page.getByRole("heading", { name: "Integrations", level: 1 }).scrollIntoViewIfNeeded();
    await screenshot(page, "70-integrations-slack");

    const listed = await page.evaluate(async () =>
      (await fetch("/api/workspaces/handbook/integrations")).text(),
    );
    expect(listed).not.toContain(botToken);
    expect(listed).toContain("••••bqgy");

    // Slack checks the Request URL with a signed url_verification: it is answered with what the page stored.
    const body = JSON.stringify({ token: "x", challenge: "e2e-challenge-1", type: "url_verification" });
    const timestamp = String(Math.floor(Date.now() / 1000));
    const signature = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex");
    const challenge = await fetch(callbackUrl, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-slack-request-timestamp": timestamp,
        "x-slack-signature": `v0=${signature}`,
      },
      body,
    });
    expect(challenge.status).toBe(200);
    expect(await challenge.json()).toEqual({ challenge: "e2e-challenge-1" });

    await card.getByRole("button", { name: "Switch off" }).click();
    await card.getByText("Switched off").waitFor();
    await card.getByRole("button", { name: "Switch on" }).waitFor();
    expect(errors).toEqual([]);
  });
});
