// @vitest-environment node
/**
 * The embeddable chat widget in real headless Chromium: a page served from another origin loads the built server's
 * `/widget.js` with a widget key, opens the bubble, gets a streamed answer with citations and reads the cited
 * passage inside the widget; a page on an origin the key does not allow is refused, and so is a visitor past the
 * key's rate.
 */
import { createServer as createHttpServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type RunningZhiku, screenshot, startZhiku } from "./harness";

const adminEmail = "admin@zhiku.test";
const adminPassword = "e2e admin password";
const guide =
  "# 部署指南\n\n## 备份\n\n数据目录每天凌晨两点自动备份，备份文件保留三十天。恢复时先停止服务，再解压备份到空的数据目录。\n";

/** A site on its own origin whose page embeds the widget with the key set later (the key names the origin). */
async function hostSite(): Promise<{
  origin: string;
  embed: (tag: string) => void;
  close: () => Promise<void>;
}> {
  let body = "";
  const server: Server = createHttpServer((_request, response) => {
    response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
    response.end(
      `<!doctype html><html><head><title>Docs site</title></head><body><h1>Our docs</h1>${body}</body></html>`,
    );
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    // `localhost` against the server's 127.0.0.1, on another port: a different origin in every respect.
    origin: `http://localhost:${port}`,
    embed: (tag) => {
      body = tag;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("chat widget on another origin", () => {
  let zhiku: RunningZhiku;
  let browser: Browser;
  let cookie = "";
  const sites: { close: () => Promise<void> }[] = [];

  const api = async (path: string, init: RequestInit = {}) =>
    fetch(`${zhiku.baseUrl}${path}`, {
      ...init,
      headers: { cookie, "x-zhiku-csrf": "1", ...(init.headers as Record<string, string> | undefined) },
    });

  async function createKey(allowedOrigins: string[], requestsPerMinute: number): Promise<string> {
    const response = await api("/api/workspaces/handbook/widget-keys", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "docs site", allowedOrigins, requestsPerMinute }),
    });
    expect(response.status).toBe(201);
    return ((await response.json()) as { widgetKey: { key: string } }).widgetKey.key;
  }

  /** Opens a page of a new site that embeds the widget with a key allowing `allow(origin)`. */
  async function open(options: {
    allow: (origin: string) => string[];
    requestsPerMinute: number;
    lang: "zh" | "en";
  }): Promise<Page> {
    const site = await hostSite();
    sites.push(site);
    const key = await createKey(options.allow(site.origin), options.requestsPerMinute);
    site.embed(
      `<script src="${zhiku.baseUrl}/widget.js" data-key="${key}" data-lang="${options.lang}"></script>`,
    );
    const page = await browser.newPage();
    await page.goto(site.origin);
    return page;
  }

  async function ask(page: Page, question: string): Promise<void> {
    await page.locator("zhiku-widget textarea").fill(question);
    await page.locator("zhiku-widget form button").click();
  }

  beforeAll(async () => {
    zhiku = await startZhiku({ env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword } });
    const login = await fetch(`${zhiku.baseUrl}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-zhiku-csrf": "1" },
      body: JSON.stringify({ email: adminEmail, password: adminPassword }),
    });
    expect(login.status).toBe(200);
    cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    expect(
      (
        await api("/api/workspaces", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ name: "Handbook" }),
        })
      ).status,
    ).toBe(201);
    const form = new FormData();
    form.append("file", new Blob([guide], { type: "text/markdown" }), "deploy.md");
    expect((await api("/api/workspaces/handbook/documents", { method: "POST", body: form })).status).toBe(
      202,
    );
    for (let attempt = 0; attempt < 600; attempt++) {
      const { documents } = (await (await api("/api/workspaces/handbook/documents")).json()) as {
        documents: { status: string }[];
      };
      if (documents[0]?.status === "ready") break;
      await new Promise((wait) => setTimeout(wait, 100));
    }
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    for (const site of sites) await site.close();
    await zhiku?.stop();
  });

  it("answers with citations that open the passage inside the widget, in Chinese", async () => {
    const page = await open({ allow: (origin) => [origin], requestsPerMinute: 5, lang: "zh" });
    const bubble = page.locator("zhiku-widget .bubble");
    await bubble.waitFor();
    expect(await bubble.textContent()).toBe("问问文档");
    await bubble.click();
    await page.locator("zhiku-widget header span", { hasText: "Handbook" }).waitFor();
    await ask(page, "数据目录多久备份一次？");
    const cite = page.locator("zhiku-widget .answer .cite").first();
    await cite.waitFor({ timeout: 30_000 });
    await page.locator("zhiku-widget .sources button", { hasText: "deploy.md" }).waitFor();
    await screenshot(page, "widget-answer");
    await cite.click();
    const passage = page.locator("zhiku-widget .passage .text");
    await expect.poll(() => passage.textContent()).toContain("每天凌晨两点自动备份");
    expect(await page.locator("zhiku-widget .passage .where").textContent()).toBe(
      "deploy.md › 部署指南 › 备份",
    );
    await page.close();
  });

  it("refuses a page on an origin the key does not allow", async () => {
    const page = await open({ allow: () => ["https://docs.example.com"], requestsPerMinute: 5, lang: "en" });
    await page.locator("zhiku-widget .bubble").click();
    const refusal = page.locator("zhiku-widget .answer.failed", {
      hasText: "This site may not use this assistant.",
    });
    await refusal.waitFor();
    await ask(page, "How often is the data directory backed up?");
    await expect.poll(() => refusal.count()).toBe(2);
    expect(await page.locator("zhiku-widget .cite").count()).toBe(0);
    await page.close();
  });

  it("tells a visitor past the key's rate to wait", async () => {
    const page = await open({ allow: (origin) => [origin], requestsPerMinute: 1, lang: "en" });
    expect(await page.locator("zhiku-widget .bubble").textContent()).toBe("Ask the docs");
    await page.locator("zhiku-widget .bubble").click();
    await ask(page, "数据目录多久备份一次？");
    await page.locator("zhiku-widget .answer .cite").first().waitFor({ timeout: 30_000 });
    await ask(page, "备份文件保留多久？");
    await page
      .locator("zhiku-widget .answer.failed", {
        hasText: "Too many questions in a row; please wait a minute.",
      })
      .waitFor();
    await page.close();
  });
});
