// @vitest-environment node
/**
 * A website source in real headless Chromium against the built server: an admin adds a loopback site in the Sources
 * panel of the documents page, its first sync lists the pages as documents, and after the site changes (a page
 * edited, one added, one removed) "Sync now" shows the new counts and the document list follows.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type RunningZhiku, screenshot, signIn, startZhiku } from "./harness";

const adminEmail = "admin@zhiku.test";
const adminPassword = "e2e admin password";

function page(title: string, text: string, links: string[] = []): string {
  const anchors = links.map((link) => `<p><a href="${link}">${link}</a></p>`).join("");
  return `<!doctype html><html><head><title>${title}</title></head><body><article><h1>${title}</h1><p>${text}</p>${anchors}</article></body></html>`;
}

describe("sources panel", () => {
  let zhiku: RunningZhiku;
  let browser: Browser;
  let site: Server;
  let origin = "";
  const pages = new Map<string, string>();

  beforeAll(async () => {
    site = createServer((request, response) => {
      const body = pages.get(new URL(request.url ?? "/", "http://site").pathname);
      response.writeHead(body === undefined ? 404 : 200, { "content-type": "text/html; charset=utf-8" });
      response.end(body ?? "gone");
    });
    await new Promise<void>((resolve) => site.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    pages.set("/", page("Harbour handbook", "Welcome to the harbour office.", ["/tides", "/moorings"]));
    pages.set("/tides", page("Tides", "High tide comes at noon on Sundays."));
    pages.set("/moorings", page("Moorings", "Mooring buoys are painted vermilion."));
    zhiku = await startZhiku({
      env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword, URL_ALLOWLIST: "127.0.0.1" },
    });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await zhiku?.stop();
    await new Promise((resolve) => site?.close(resolve));
  });

  const documentNames = async (tab: Page) =>
    (await tab.locator(".document-list .document-name").allTextContents()).sort();

  it("adds a site, syncs it, and follows its changes on Sync now", async () => {
    const tab = await browser.newPage({ locale: "en-GB" });
    await signIn(tab, { baseUrl: zhiku.baseUrl, email: adminEmail, password: adminPassword });
    const created = await tab.evaluate(async () => {
      const response = await fetch("/api/workspaces", {
        method: "POST",
        headers: { "content-type": "application/json", "x-zhiku-csrf": "1" },
        body: JSON.stringify({ name: "Harbour" }),
      });
      return response.status;
    });
    expect(created).toBe(201);
    await tab.goto(`${zhiku.baseUrl}/workspaces/harbour/documents`);
    const panel = tab.locator("section.sources-panel");
    await panel.getByText("No sources yet.").waitFor();
    await panel.getByText("Add a source…").click();
    await panel.getByLabel("Start page, or a sitemap (.xml)").fill(`${origin}/`);
    await panel.getByLabel("Sync", { exact: true }).selectOption("0");
    await panel.getByRole("button", { name: "Add source" }).click();
    await panel.getByText("3 added, 0 updated, 0 deleted, 0 unchanged, 0 failed", { exact: false }).waitFor({
      timeout: 30_000,
    });
    await tab.locator(".document-list").getByText(`${origin}/moorings`).waitFor();
    expect(await documentNames(tab)).toEqual([`${origin}/`, `${origin}/moorings`, `${origin}/tides`]);
    await screenshot(tab, "sources-first-sync");

    pages.set("/", page("Harbour handbook", "Welcome to the harbour office.", ["/tides", "/lighthouse"]));
    pages.set("/tides", page("Tides", "High tide now comes at half past one."));
    pages.set("/lighthouse", page("Lighthouse", "The keeper feeds the cormorants."));
    pages.delete("/moorings");
    await panel.getByRole("button", { name: `Sync ${new URL(origin).host} now` }).click();
    await panel.getByText("1 added, 2 updated, 1 deleted, 0 unchanged, 0 failed", { exact: false }).waitFor({
      timeout: 30_000,
    });
    await tab.locator(".document-list").getByText(`${origin}/lighthouse`).waitFor();
    await tab.locator(".document-list").getByText(`${origin}/moorings`).waitFor({ state: "detached" });
    expect(await documentNames(tab)).toEqual([`${origin}/`, `${origin}/lighthouse`, `${origin}/tides`]);
    await screenshot(tab, "sources-second-sync");
  }, 90_000);
});
