// @vitest-environment node
/**
 * Whole flows in real headless Chromium against the real built server (`apps/server/dist/main.js`) on the
 * stand-in Ollama, installed headless (ADMIN_EMAIL / ADMIN_PASSWORD), so each browser context signs in first:
 * onboarding, upload with live progress, a Chinese question streamed with citations,
 * the source panel, the language switch, and a phone-width view. Screenshots of each main screen go to
 * E2E_SCREENSHOT_DIR (default test-results/screenshots at the repository root).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer as createHttpServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { StandInOllama } from "@zhiku/stand-in-ollama";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  launchChromium,
  type RunningZhiku,
  screenshot as saveScreenshot,
  signIn,
  startZhiku,
} from "./harness";

/** The admin a headless install creates at start (ADMIN_EMAIL / ADMIN_PASSWORD). */
const adminEmail = "admin@zhiku.test";
const adminPassword = "e2e admin password";

const handbook = `# 员工手册

## 休假制度

### 年假

正式员工每年享有 15 天带薪年假，入职满五年后增加到 20 天。年假需提前一周在系统中申请，并经直属经理批准。

### 病假

病假需提供医院证明，每年最多 30 天全薪病假。

## 报销流程

差旅费用在出差结束后 30 天内提交报销，附上发票原件。公式：报销额 $R = \\sum_i c_i$。
`;

/** Records, in the page, every distinct text of progress labels and the growth of the streamed answer. */
const recorderScript = `
  window.__progressLog = [];
  window.__answerLengths = [];
  new MutationObserver(() => {
    for (const element of document.querySelectorAll(".progress-text")) {
      const last = window.__progressLog[window.__progressLog.length - 1];
      if (element.textContent && element.textContent !== last) window.__progressLog.push(element.textContent);
    }
    const answers = document.querySelectorAll(".message.assistant");
    const answer = answers[answers.length - 1];
    if (answer) {
      const length = answer.textContent.length;
      const lengths = window.__answerLengths;
      if (lengths[lengths.length - 1] !== length) lengths.push(length);
    }
  }).observe(document, { subtree: true, childList: true, characterData: true });
`;

describe("web client in Chromium against the real server", () => {
  let fixtureDirectory: string;
  let zhiku: RunningZhiku;
  let standIn: StandInOllama;
  let browser: Browser;
  let baseUrl: string;
  let pageServer: Server;
  let pageUrl: string;

  beforeAll(async () => {
    fixtureDirectory = await mkdtemp(join(tmpdir(), "zhiku-e2e-files-"));
    await writeFile(join(fixtureDirectory, "员工手册.md"), handbook);
    // Not a PDF at all: ingestion fails, and the page must say why.
    await writeFile(join(fixtureDirectory, "broken.pdf"), "this is not a PDF file");
    // A web page for the URL ingest.
    pageServer = createHttpServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end(
        "<!doctype html><html><head><title>Remote work policy</title></head><body><article>" +
          "<h1>Remote work policy</h1><p>Employees may work remotely two days a week after their probation period. " +
          "Requests go to the team lead, who answers within three working days.</p></article></body></html>",
      );
    });
    await new Promise<void>((resolveListen) => pageServer.listen(0, "127.0.0.1", resolveListen));
    const pageAddress = pageServer.address();
    pageUrl = `http://127.0.0.1:${typeof pageAddress === "object" && pageAddress ? pageAddress.port : 0}/remote-work`;
    // Token delay so the answer visibly streams; a little latency so upload progress has stages to show.
    // A headless install: the server creates the admin at start, and every page needs a sign-in.
    // The test's web page is on loopback, which URL ingestion refuses unless allowed.
    zhiku = await startZhiku({
      standIn: { tokenDelayMs: 25, latencyMs: 30 },
      env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword, URL_ALLOWLIST: "127.0.0.1" },
    });
    standIn = zhiku.standIn;
    baseUrl = zhiku.baseUrl;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await zhiku?.stop();
    await new Promise((resolveClose) =>
      pageServer ? pageServer.close(resolveClose) : resolveClose(undefined),
    );
    if (fixtureDirectory) await rm(fixtureDirectory, { recursive: true, force: true });
  }, 60_000);

  /** Signs the admin in within this page's browser context. */
  async function signInAdmin(page: Page): Promise<void> {
    await signIn(page, { baseUrl, email: adminEmail, password: adminPassword });
  }

  async function screenshot(page: Page, name: string): Promise<void> {
    await saveScreenshot(page, name);
  }

  it("onboards, uploads with progress, streams a Chinese answer, opens a citation and switches language", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    await context.addInitScript(recorderScript);
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      // First run of a headless install: sign in as the admin it created; `/` then leads to onboarding,
      // which creates the first workspace.
      await signInAdmin(page);
      await page.waitForURL(/\/welcome$/);
      await page.getByRole("heading", { name: "Welcome to Zhiku" }).waitFor();
      await page.getByLabel("Workspace name").fill("HR Handbook");
      await screenshot(page, "01-onboarding");
      await page.getByRole("button", { name: "Create workspace" }).click();
      await page.waitForURL(/\/workspaces\/[^/]+\/documents$/);
      const slug = new URL(page.url()).pathname.split("/")[2]!;

      // Upload two files at once through the file picker; each row's progress is fed by the server's events.
      await page
        .locator('input[type="file"]')
        .setInputFiles([join(fixtureDirectory, "员工手册.md"), join(fixtureDirectory, "broken.pdf")]);
      const broken = page.locator(".document-row", { hasText: "broken.pdf" });
      await broken
        .getByRole("alert")
        .filter({ hasText: /^Failed: / })
        .waitFor({ timeout: 60_000 });
      // The reason comes from the failure's code (invalid:corrupt), in the interface language, naming the file.
      expect(await broken.getByRole("alert").textContent()).toBe(
        "Failed: broken.pdf is damaged or not the kind of file its name says, so it cannot be read.",
      );
      await broken.getByRole("button", { name: "Retry" }).waitFor();
      const row = page.locator(".document-row", { hasText: "员工手册.md" });
      await row.waitFor();
      await row.getByText("Ready").waitFor({ timeout: 60_000 });
      const progressLog = await page.evaluate(
        () => (window as unknown as { __progressLog: string[] }).__progressLog,
      );
      expect(progressLog.at(-1)).toBe("Ready");
      expect(
        progressLog.some((text) => /Queued|Parsing|Splitting|Embedding|Storing|Processing/.test(text)),
      ).toBe(true);
      // Drag and drop works too (a file dropped from the desktop arrives as a drop event with files).
      const dataTransfer = await page.evaluateHandle(() => {
        const transfer = new DataTransfer();
        transfer.items.add(
          new File(["会议纪要：下周一开始新的考勤制度。"], "会议纪要.txt", { type: "text/plain" }),
        );
        return transfer;
      });
      await page.locator(".drop-zone").dispatchEvent("dragover", { dataTransfer });
      await page.getByText("Release to upload").waitFor();
      await page.locator(".drop-zone").dispatchEvent("drop", { dataTransfer });
      await page
        .locator(".document-row", { hasText: "会议纪要.txt" })
        .getByText("Ready")
        .waitFor({ timeout: 60_000 });

      // A web page by its address; an unreachable address gives a readable error, not silence.
      const urlInput = page.getByLabel("Add a web page by its address");
      await urlInput.fill("http://127.0.0.1:1/nothing-here");
      await page.getByRole("button", { name: "Add page" }).click();
      const notice = page.locator(".notice-error");
      await notice.waitFor({ timeout: 30_000 });
      expect(await notice.textContent()).toMatch(/127\.0\.0\.1:1/);
      await screenshot(page, "02a-documents-url-error");
      await notice.getByRole("button", { name: "Dismiss notice" }).click();
      await urlInput.fill(pageUrl);
      await page.getByRole("button", { name: "Add page" }).click();
      await page
        .locator(".document-row", { hasText: pageUrl })
        .getByText("Ready")
        .waitFor({ timeout: 60_000 });

      // Retry the failed file (it fails again, with its reason), and delete the dropped one after confirming.
      page.on("dialog", (dialog) => void dialog.accept());
      await broken.getByRole("button", { name: "Retry" }).click();
      await expect.poll(() => broken.getByRole("button", { name: "Retry" }).count()).toBe(1);
      await broken
        .getByRole("alert")
        .filter({ hasText: /^Failed: / })
        .waitFor({ timeout: 60_000 });
      const notes = page.locator(".document-row", { hasText: "会议纪要.txt" });
      await notes.getByRole("button", { name: "Delete" }).click();
      await notes.waitFor({ state: "detached" });

      await row.getByRole("button", { name: "Chunks" }).click();
      await row.locator(".chunk").first().waitFor();
      expect(await row.locator(".chunk-text").first().textContent()).toContain("员工手册");
      await screenshot(page, "02-documents");

      // Ask in Chinese; the answer streams in (its text grows over several renders) and cites sources.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
      await page.waitForURL(new RegExp(`/workspaces/${slug}$`));
      const question = page.getByLabel("Your question");
      await question.fill("年假有几天？");
      await question.press("Enter");
      await page.getByRole("button", { name: "Stop generating" }).waitFor();
      await page.getByRole("button", { name: "Regenerate" }).waitFor({ timeout: 60_000 });
      await page.waitForURL(new RegExp(`/workspaces/${slug}/threads/[^/]+$`));
      const lengths = await page.evaluate(
        () => (window as unknown as { __answerLengths: number[] }).__answerLengths,
      );
      expect(lengths.length).toBeGreaterThan(5);
      const answer = page.locator(".message.assistant").last();
      expect(await answer.textContent()).toContain("关于「年假有几天？」");
      await expect.poll(() => answer.locator("button.citation").count()).toBeGreaterThan(0);
      expect(await answer.locator(".chip").count()).toBeGreaterThan(0);
      await screenshot(page, "03-chat-answer");

      // A citation opens the side panel with the passage highlighted and a link to the original.
      await answer.locator("button.citation").first().click();
      const panel = page.locator(".source-panel");
      await panel.waitFor();
      expect(await panel.locator("mark").textContent()).toMatch(/年假|休假|员工手册/);
      expect(await panel.textContent()).toContain("员工手册.md");
      // "Relevance" is the passage's cosine relevance as a percentage, not the fused rank score.
      const threadId = new URL(page.url()).pathname.split("/").at(-1);
      const stored = (await (await page.request.get(`${baseUrl}/api/threads/${threadId}`)).json()) as {
        messages: { role: string; sources: { index: number; score: number; relevance?: number | null }[] }[];
      };
      const sourceIndex = Number((await panel.locator("h2").textContent())?.match(/\d+/)?.[0]);
      const cited = stored.messages.at(-1)?.sources.find((source) => source.index === sourceIndex);
      expect(typeof cited?.relevance).toBe("number");
      expect(await panel.textContent()).toContain(`Relevance ${Math.round((cited?.relevance ?? 0) * 100)}%`);
      expect(await panel.textContent()).not.toContain(cited?.score.toFixed(3) ?? "score");
      // "Open the original" goes to the in-app viewer (e2e/viewer.test.ts); the file is its own Download link.
      expect(await panel.getByRole("link", { name: /Open the original/ }).getAttribute("href")).toMatch(
        new RegExp(`^/workspaces/${slug}/documents/[^/]+/view\\?chunk=`),
      );
      const link = panel.getByRole("link", { name: "Download" });
      expect(await link.getAttribute("href")).toMatch(
        new RegExp(`/api/workspaces/${slug}/documents/[^/]+/file`),
      );
      const original = await page.request.get(new URL((await link.getAttribute("href"))!, baseUrl).href);
      expect(original.status()).toBe(200);
      expect(await original.text()).toContain("15 天带薪年假");
      await screenshot(page, "04-source-panel");
      await page.keyboard.press("Escape");
      await panel.waitFor({ state: "detached" });
      // Keyboard users land back on the citation they opened.
      expect(await page.evaluate(() => document.activeElement?.className)).toBe("citation");

      // Thumbs up is stored without an error notice.
      await answer.getByRole("button", { name: "Good answer" }).click();
      await expect
        .poll(() => answer.getByRole("button", { name: "Good answer" }).getAttribute("aria-pressed"))
        .toBe("true");

      // Math in an answer is typeset by KaTeX, fetched only now (the stand-in repeats the question).
      const katexRequests: string[] = [];
      page.on("request", (request) => {
        if (/katex/i.test(request.url())) katexRequests.push(request.url());
      });
      await question.fill("公式 $E = mc^2$ 是什么意思？");
      await question.press("Enter");
      await page.locator(".message.assistant").nth(1).locator(".katex").first().waitFor({ timeout: 60_000 });
      expect(katexRequests.length).toBeGreaterThan(0);
      await page.getByRole("button", { name: "Regenerate" }).waitFor({ timeout: 60_000 });
      await screenshot(page, "04a-chat-math");

      // Rename the thread in the list.
      await page.getByRole("button", { name: "Rename: 年假有几天？" }).click();
      const titleInput = page.getByLabel("New name for “年假有几天？”");
      await titleInput.fill("年假问题");
      await titleInput.press("Enter");
      await page.getByRole("link", { name: "年假问题" }).waitFor();

      // Switch to Chinese: the interface changes at once and stays Chinese after a reload.
      await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
      await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "文档" }).waitFor();
      await page.getByLabel("你的问题").waitFor();
      await page.reload();
      await page.getByRole("button", { name: "重新生成" }).waitFor();
      await page.getByRole("link", { name: "年假问题" }).waitFor();
      await page.getByRole("button", { name: "打开来源 1" }).first().waitFor();
      expect(await page.locator("html").getAttribute("lang")).toBe("zh-CN");
      await screenshot(page, "05-chat-zh");

      await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "设置" }).click();
      await page.getByRole("heading", { name: "工作区设置" }).waitFor();
      await page.locator(".model-list li").first().waitFor();
      expect(await page.getByLabel("名称").inputValue()).toBe("HR Handbook");
      await page.getByLabel("每个问题检索的段落数（top-k）").fill("4");
      await page.getByLabel("附加指令（系统提示词）").fill("回答要简洁。");
      await page.getByRole("button", { name: "保存设置" }).click();
      await page.getByText("设置已保存。").waitFor();
      const saved = (await (await page.request.get(`${baseUrl}/api/workspaces/${slug}`)).json()) as {
        workspace: { settings: { topK?: number; systemPrompt?: string } };
      };
      expect(saved.workspace.settings).toMatchObject({ topK: 4, systemPrompt: "回答要简洁。" });
      await screenshot(page, "06-settings-zh");

      await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "文档" }).click();
      await page.locator(".document-row", { hasText: "员工手册.md" }).getByText("就绪").waitFor();
      // The failed file's reason is Chinese too, not the server's English.
      expect(
        await page.locator(".document-row", { hasText: "broken.pdf" }).getByRole("alert").textContent(),
      ).toBe("失败：broken.pdf 已损坏，或与文件名所示的类型不符，无法读取。");
      expect(await page.locator(".document-row", { hasText: "会议纪要.txt" }).count()).toBe(0);
      await screenshot(page, "07-documents-zh");

      expect(await page.locator(".notice-error").count()).toBe(0);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("is usable at phone width: menu, threads drawer and source panel fit the screen", async () => {
    const context = await browser.newContext({
      locale: "zh-CN",
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    try {
      await signInAdmin(page);
      await page.waitForURL(/\/workspaces\/[^/]+$/);
      // The browser language picks Chinese on a first visit.
      const question = page.getByLabel("你的问题");
      await question.fill("病假需要什么证明？");
      await page.getByRole("button", { name: "发送" }).click();
      await page.getByRole("button", { name: "重新生成" }).waitFor({ timeout: 60_000 });
      // Regenerate streams a fresh answer in place.
      await page.getByRole("button", { name: "重新生成" }).click();
      await page.getByRole("button", { name: "停止生成" }).waitFor();
      await page.getByRole("button", { name: "重新生成" }).waitFor({ timeout: 60_000 });
      expect(await page.locator(".message.assistant").count()).toBe(1);
      // The thread stores the question once: after a reload it still shows one question and one answer, and
      // regenerating the reloaded thread replaces the answer again.
      await page.waitForURL(/\/threads\/[^/]+$/);
      const regeneratedThread = new URL(page.url()).pathname.split("/").at(-1);
      await page.reload();
      await page.getByRole("button", { name: "重新生成" }).waitFor({ timeout: 60_000 });
      expect(await page.locator(".message.user").count()).toBe(1);
      expect(await page.locator(".message.assistant").count()).toBe(1);
      await page.getByRole("button", { name: "重新生成" }).click();
      await page.getByRole("button", { name: "停止生成" }).waitFor();
      await page.getByRole("button", { name: "重新生成" }).waitFor({ timeout: 60_000 });
      const storedThread = (await (
        await page.request.get(`${baseUrl}/api/threads/${regeneratedThread}`)
      ).json()) as { messages: { role: string; content: string }[] };
      expect(storedThread.messages.map((message) => [message.role, message.content.slice(0, 12)])).toEqual([
        ["user", "病假需要什么证明？"],
        ["assistant", expect.any(String)],
      ]);

      // Stop ends the answer at once, and the server stops the model's request too.
      standIn.setOptions({ tokenDelayMs: 200 });
      try {
        await question.fill("报销需要什么材料？");
        await question.press("Enter");
        await page.locator(".message.assistant").nth(1).locator(".markdown").waitFor();
        await page.getByRole("button", { name: "停止生成" }).click();
        await page.getByText("已停止。").waitFor();
        await expect
          .poll(() => standIn.requests.filter((request) => request.path === "/api/chat").at(-1)?.aborted)
          .toBe(true);
      } finally {
        standIn.setOptions({ tokenDelayMs: 25 });
      }

      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      expect(width).toBeLessThanOrEqual(390);
      await screenshot(page, "08-phone-chat");
      await page.getByRole("button", { name: "菜单" }).click();
      await page.getByRole("navigation", { name: "主导航" }).getByRole("link", { name: "文档" }).waitFor();
      await screenshot(page, "09-phone-menu");
      await page.getByRole("button", { name: "关闭菜单" }).click();
      await page.getByRole("button", { name: "对话记录" }).click();
      await page.locator(".thread-sidebar.open").getByRole("link", { name: "病假需要什么证明？" }).waitFor();
      await screenshot(page, "10-phone-threads");
      await page.getByRole("button", { name: "关闭对话记录" }).click();
      await page.locator(".thread-sidebar.open").waitFor({ state: "detached" });
      const threadAddress = new URL(page.url()).pathname;
      await page.locator(".message.assistant button.citation").first().click();
      await page.locator(".source-panel").waitFor();
      await screenshot(page, "11-phone-source");
      await page.getByRole("button", { name: "关闭来源" }).click();

      // Delete this conversation from the drawer: it leaves the list and the chat starts afresh.
      page.on("dialog", (dialog) => void dialog.accept());
      await page.getByRole("button", { name: "对话记录" }).click();
      await page.getByRole("button", { name: "删除: 病假需要什么证明？" }).click();
      await page.getByRole("link", { name: "病假需要什么证明？" }).waitFor({ state: "detached" });
      await expect.poll(() => new URL(page.url()).pathname).not.toBe(threadAddress);
      expect(new URL(page.url()).pathname).toMatch(/^\/workspaces\/[^/]+$/);
      const missing = await page.request.get(`${baseUrl}/api/threads/${threadAddress.split("/").at(-1)}`);
      expect(missing.status()).toBe(404);
    } finally {
      await context.close();
    }
  }, 120_000);

  it("warns about a missing model and pulls it with a progress bar; warns when Ollama is down", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    try {
      // A second workspace from the switcher, then back to the first with the select.
      await signInAdmin(page);
      await page.waitForURL(/\/workspaces\/[^/]+$/);
      const firstSlug = new URL(page.url()).pathname.split("/")[2]!;
      await page.getByRole("button", { name: "New workspace" }).click();
      await page.getByLabel("Name of the new workspace").fill("Engineering");
      await page.getByRole("button", { name: "Create", exact: true }).click();
      await page.waitForURL(/\/workspaces\/[^/]+\/documents$/);
      expect(new URL(page.url()).pathname).not.toContain(firstSlug);
      await page.getByText("No documents yet.", { exact: false }).waitFor();
      await page.getByRole("combobox", { name: "Workspace" }).selectOption(firstSlug);
      await page.waitForURL(new RegExp(`/workspaces/${firstSlug}/documents$`));
      await page.getByRole("heading", { name: "Documents · HR Handbook" }).waitFor();

      standIn.setOptions({ models: ["bge-m3"], tokenDelayMs: 150 });
      await page.goto(baseUrl);
      const missing = page.getByText("The model qwen2.5:7b is not installed in Ollama.");
      await missing.waitFor();
      await screenshot(page, "12-model-missing");
      await page.getByRole("button", { name: "Download qwen2.5:7b" }).click();
      await page.getByRole("progressbar", { name: /Downloading qwen2.5:7b/ }).waitFor();
      await screenshot(page, "13-model-pulling");
      // When the pull is done the banner checks again and, with both models present, goes away.
      await missing.waitFor({ state: "detached", timeout: 60_000 });
      const tags = (await (await fetch(`${standIn.url}/api/tags`)).json()) as { models: { name: string }[] };
      expect(tags.models.map((model) => model.name)).toContain("qwen2.5:7b");

      standIn.setOptions({ unavailable: true });
      await page.reload();
      await page.getByText("Ollama cannot be reached.", { exact: false }).waitFor();
      // A question now fails, and the server's reason is shown where the answer would be.
      await page.getByLabel("Your question").fill("What is the leave policy?");
      await page.getByLabel("Your question").press("Enter");
      const failure = page.locator(".message.assistant").getByRole("alert");
      await failure.waitFor({ timeout: 60_000 });
      expect(await failure.textContent()).toMatch(/^The answer failed: .*Ollama/);
      await screenshot(page, "14-ollama-down");
      // The reason follows the interface language (it is the error's code that is shown, not the server's text).
      await page.getByRole("combobox", { name: "Language" }).selectOption("zh");
      await expect
        .poll(() => failure.textContent())
        .toBe("回答失败：无法连接 Ollama。请确认它正在运行，然后重试。");
    } finally {
      standIn.setOptions({ unavailable: false, models: ["bge-m3", "qwen2.5:7b"], tokenDelayMs: 25 });
      await context.close();
    }
  }, 120_000);
});
