// @vitest-environment node
/**
 * The document viewer in real headless Chromium against the built server on the stand-in Ollama: a cited PDF opens
 * at the cited page with the passage's text-layer spans highlighted (reached from a chat citation), and a long
 * Markdown document opens at its viewer address with the cited chunk in `<mark>`, scrolled into view, breadcrumbs
 * from its heading path and a mind map of its outline whose nodes scroll to their headings. Nothing is fetched from
 * anywhere but the server (pdf.js's worker and CMaps, markmap, all bundled).
 *
 * The PDF is the ingest package's two-page Chinese fixture (packages/ingest/fixtures/zh-two-page.pdf, made by its
 * make-fixtures.mjs from text written for the fixtures).
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type RunningZhiku, screenshot, signIn, startZhiku } from "./harness";

const adminEmail = "admin@zhiku.test";
const adminPassword = "e2e admin password";
const twoPagePdf = fileURLToPath(
  new URL("../../../packages/ingest/fixtures/zh-two-page.pdf", import.meta.url),
);
/**
 * A one-page PDF whose Chinese text uses Adobe's non-embedded STSong-Light font in the UniGB-UCS2-H encoding, as many
 * Chinese PDFs from office software do: pdf.js reads it only with the predefined CMaps, which the viewer must fetch
 * from the server (made by packages/ingest/fixtures/make-fixtures.mjs).
 */
const cmapOnlyPdf = fileURLToPath(
  new URL("../../../packages/ingest/fixtures/cmap-only.pdf", import.meta.url),
);

/** Filler that makes each section long, so the cited passage is far down and must be scrolled to. */
function filler(topic: string, count: number): string {
  return Array.from(
    { length: count },
    (_, index) =>
      `${topic}的说明第 ${index + 1} 段：本段介绍${topic}的背景、适用范围和常见问题，供新员工在入职第一周阅读。`,
  ).join("\n\n");
}

const handbook = `# 员工手册

## 休假制度

${filler("休假制度", 30)}

### 年假

正式员工每年享有 15 天带薪年假，入职满五年后增加到 20 天。

${filler("年假", 20)}

### 病假

病假需提供二级以上医院的诊断证明，每年最多 30 天全薪病假。

${filler("病假", 20)}

## 报销流程

差旅费用在出差结束后 30 天内提交报销，附上发票原件。

${filler("报销", 30)}
`;

interface StoredChunk {
  chunkId: string;
  text: string;
  headings: string[];
  page: number | null;
}

/** Removes what a PDF's text layer and the stored text differ in: Unicode forms and whitespace. */
function normalise(text: string): string {
  return text.normalize("NFKC").replace(/\s+/g, "");
}

describe("document viewer in Chromium against the real server", () => {
  let fixtureDirectory: string;
  let zhiku: RunningZhiku;
  let browser: Browser;
  let baseUrl: string;

  beforeAll(async () => {
    fixtureDirectory = await mkdtemp(join(tmpdir(), "zhiku-e2e-viewer-"));
    await writeFile(join(fixtureDirectory, "员工手册.md"), handbook);
    zhiku = await startZhiku({ env: { ADMIN_EMAIL: adminEmail, ADMIN_PASSWORD: adminPassword } });
    baseUrl = zhiku.baseUrl;
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await zhiku?.stop();
    if (fixtureDirectory) await rm(fixtureDirectory, { recursive: true, force: true });
  }, 60_000);

  /** Every request the page makes, to show nothing leaves the server. */
  function recordRequests(page: Page): string[] {
    const requests: string[] = [];
    page.on("request", (request) => requests.push(request.url()));
    return requests;
  }

  it("opens a cited PDF at the cited page with the passage highlighted, and a Markdown passage marked beside its mind map", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const requests = recordRequests(page);
    try {
      await signIn(page, { baseUrl, email: adminEmail, password: adminPassword });
      await page.waitForURL(/\/welcome$/);
      await page.getByLabel("Workspace name").fill("Viewer");
      await page.getByRole("button", { name: "Create workspace" }).click();
      await page.waitForURL(/\/workspaces\/[^/]+\/documents$/);
      const slug = new URL(page.url()).pathname.split("/")[2]!;
      await page
        .locator('input[type="file"]')
        .setInputFiles([twoPagePdf, join(fixtureDirectory, "员工手册.md")]);
      for (const name of ["zh-two-page.pdf", "员工手册.md"]) {
        await page
          .locator(".document-row", { hasText: name })
          .getByText("Ready")
          .waitFor({ timeout: 90_000 });
      }
      const documents = (await (
        await page.request.get(`${baseUrl}/api/workspaces/${slug}/documents`)
      ).json()) as {
        documents: { id: string; name: string }[];
      };
      const idOf = (name: string) => documents.documents.find((document) => document.name === name)!.id;
      // Each ready document has a View link to the viewer beside its Download.
      expect(
        await page
          .locator(".document-row", { hasText: "员工手册.md" })
          .getByRole("link", { name: "View" })
          .getAttribute("href"),
      ).toBe(`/workspaces/${slug}/documents/${idOf("员工手册.md")}/view`);

      // A question about the PDF's second page; its source chip opens the panel, whose link opens the viewer.
      await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Chat" }).click();
      const question = page.getByLabel("Your question");
      await question.fill("中文全文索引为什么用二元组切分？错误码 E1024 怎么命中？");
      await question.press("Enter");
      await page.getByRole("button", { name: "Regenerate" }).waitFor({ timeout: 60_000 });
      await page.waitForURL(/\/threads\/[^/]+$/);
      const threadId = new URL(page.url()).pathname.split("/").at(-1);
      const thread = (await (await page.request.get(`${baseUrl}/api/threads/${threadId}`)).json()) as {
        messages: {
          role: string;
          sources: { index: number; documentName: string; chunkId: string; page: number | null }[];
        }[];
      };
      const pdfSource = thread.messages
        .at(-1)
        ?.sources.find((source) => source.documentName === "zh-two-page.pdf");
      expect(pdfSource, "the answer cites the PDF").toBeDefined();
      expect(pdfSource!.page).toBe(2);
      const pdfChunks = (
        (await (
          await page.request.get(
            `${baseUrl}/api/workspaces/${slug}/documents/${idOf("zh-two-page.pdf")}/chunks`,
          )
        ).json()) as {
          chunks: StoredChunk[];
        }
      ).chunks;
      const citedPdfChunk = pdfChunks.find((chunk) => chunk.chunkId === pdfSource!.chunkId)!;

      await page
        .getByRole("region", { name: "Sources" })
        .getByRole("button", { name: `Source ${pdfSource!.index}: zh-two-page.pdf` })
        .click();
      await page.locator(".source-panel").getByRole("link", { name: "Open the original at page 2" }).click();
      await page.waitForURL(/\/view\?/);
      const viewerAddress = new URL(page.url());
      expect(viewerAddress.pathname).toBe(`/workspaces/${slug}/documents/${idOf("zh-two-page.pdf")}/view`);
      expect(viewerAddress.searchParams.get("chunk")).toBe(pdfSource!.chunkId);
      expect(viewerAddress.searchParams.get("page")).toBe("2");

      // Page 2 is drawn, and the spans of its text layer that hold the passage are highlighted.
      await page.locator('.pdf-page[data-page-number="2"]').waitFor();
      await page.locator(".textLayer .passage-highlight").first().waitFor({ timeout: 30_000 });
      expect(await page.locator(".pdf-page-number").textContent()).toBe("Page 2 of 2");
      const highlighted = normalise(
        (await page.locator(".textLayer .passage-highlight").allTextContents()).join(""),
      );
      expect(highlighted).toContain(normalise("中文没有空格分词"));
      expect(normalise(citedPdfChunk.text)).toContain(normalise("中文没有空格分词"));
      // The canvas is painted: some of its pixels are not white.
      const inked = await page.locator(".pdf-page canvas").evaluate((canvas: HTMLCanvasElement) => {
        const context2d = canvas.getContext("2d");
        if (!context2d || canvas.width === 0) return 0;
        const { data } = context2d.getImageData(0, 0, canvas.width, canvas.height);
        let dark = 0;
        for (let index = 0; index < data.length; index += 4) if (data[index]! < 128) dark += 1;
        return dark;
      });
      expect(inked).toBeGreaterThan(100);
      await page.getByRole("link", { name: "Download the original" }).waitFor();
      await screenshot(page, "20-viewer-pdf");
      // Another page shows without the highlight, and the address follows it.
      await page.getByRole("button", { name: "Previous page" }).click();
      await page.locator('.pdf-page[data-page-number="1"]').waitFor();
      await expect.poll(() => page.locator(".pdf-page-number").textContent()).toBe("Page 1 of 2");
      await expect.poll(() => new URL(page.url()).searchParams.get("page")).toBe("1");
      await expect.poll(() => page.locator(".textLayer span").count()).toBeGreaterThan(0);
      expect(await page.locator(".textLayer .passage-highlight").count()).toBe(0);

      // Markdown at its viewer address: the cited chunk is marked and in view, with breadcrumbs and a mind map.
      const markdownId = idOf("员工手册.md");
      const chunks = (
        (await (
          await page.request.get(`${baseUrl}/api/workspaces/${slug}/documents/${markdownId}/chunks`)
        ).json()) as {
          chunks: StoredChunk[];
        }
      ).chunks;
      const sickLeave = chunks.find((chunk) => chunk.text.includes("二级以上医院的诊断证明"))!;
      expect(sickLeave.headings).toEqual(["员工手册", "休假制度", "病假"]);
      await page.goto(
        `${baseUrl}/workspaces/${slug}/documents/${markdownId}/view?chunk=${sickLeave.chunkId}`,
      );
      const mark = page.locator(".viewer-text mark");
      await mark.first().waitFor();
      expect(normalise((await mark.allTextContents()).join("")).replace(/^Citedpassage:/, "")).toBe(
        normalise(sickLeave.text),
      );
      const inView = (selector: string) =>
        page.evaluate((target) => {
          const element = document.querySelector(target);
          const box = document.querySelector(".viewer-text")?.getBoundingClientRect();
          if (!element || !box) return false;
          const rect = element.getBoundingClientRect();
          return rect.bottom > box.top && rect.top < box.bottom && rect.top < window.innerHeight;
        }, selector);
      await expect.poll(() => inView(".viewer-text mark")).toBe(true);
      expect(
        await page
          .getByRole("navigation", { name: "Section of the cited passage" })
          .locator("li")
          .allTextContents(),
      ).toEqual(["员工手册", "休假制度", "病假"]);

      const mindMap = page.locator(".mind-map svg");
      await expect.poll(() => mindMap.locator("g.markmap-node").count()).toBe(5);
      // The document's one top heading is the centre of the map, not repeated under its title.
      const nodeTexts = await mindMap.locator("[data-outline-id]").allTextContents();
      expect([...nodeTexts].sort()).toEqual(["休假制度", "员工手册", "年假", "报销流程", "病假"].sort());
      await screenshot(page, "21-viewer-markdown");
      // Choosing "报销流程" in the mind map scrolls the text to that heading.
      const reimbursementId = await mindMap
        .locator("[data-outline-id]", { hasText: "报销流程" })
        .getAttribute("data-outline-id");
      expect(await inView(`#viewer-heading-${reimbursementId}`)).toBe(false);
      await mindMap.locator("[data-outline-id]", { hasText: "报销流程" }).click();
      await expect.poll(() => inView(`#viewer-heading-${reimbursementId}`), { timeout: 10_000 }).toBe(true);

      // Everything came from the server itself: no CDN for pdf.js, its CMaps or markmap.
      expect(requests.filter((address) => !address.startsWith(baseUrl))).toEqual([]);
      expect(requests.some((address) => /pdf\.worker/.test(address))).toBe(true);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);

  it("shows a Chinese PDF whose font is not embedded, with the CMaps the server bundles", async () => {
    const context = await browser.newContext({ locale: "en-US", viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    const cmapResponses: { url: string; status: number }[] = [];
    page.on("response", (response) => {
      if (response.url().includes("/pdfjs/cmaps/"))
        cmapResponses.push({ url: response.url(), status: response.status() });
    });
    const requests = recordRequests(page);
    try {
      await signIn(page, { baseUrl, email: adminEmail, password: adminPassword });
      const workspaces = (await (await page.request.get(`${baseUrl}/api/workspaces`)).json()) as {
        workspaces: { slug: string }[];
      };
      const slug = workspaces.workspaces[0]!.slug;
      await page.goto(`${baseUrl}/workspaces/${slug}/documents`);
      await page.locator('input[type="file"]').setInputFiles(cmapOnlyPdf);
      // Whatever ingestion makes of it (the server's parser is not the viewer's), the original is stored.
      const row = page.locator(".document-row", { hasText: "cmap-only.pdf" });
      await row
        .getByText(/Ready|Failed/)
        .first()
        .waitFor({ timeout: 90_000 });
      const documents = (await (
        await page.request.get(`${baseUrl}/api/workspaces/${slug}/documents`)
      ).json()) as {
        documents: { id: string; name: string }[];
      };
      const id = documents.documents.find((document) => document.name === "cmap-only.pdf")!.id;
      await page.goto(`${baseUrl}/workspaces/${slug}/documents/${id}/view?page=1`);
      await page.locator('.pdf-page[data-page-number="1"]').waitFor();
      await expect
        .poll(async () => normalise((await page.locator(".textLayer span").allTextContents()).join("")))
        .toBe("中文全文检索");
      expect(cmapResponses.some((response) => /UniGB-UCS2-H\.bcmap$/.test(response.url))).toBe(true);
      expect(cmapResponses.every((response) => response.status === 200)).toBe(true);
      await screenshot(page, "22-viewer-pdf-cmap");
      expect(requests.filter((address) => !address.startsWith(baseUrl))).toEqual([]);
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 180_000);

  it("fits a phone's width in Chinese: the PDF page scales down, the mind map goes below the text", async () => {
    const context = await browser.newContext({
      locale: "zh-CN",
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    const page = await context.newPage();
    const pageErrors: string[] = [];
    page.on("pageerror", (error) => pageErrors.push(error.message));
    try {
      await signIn(page, { baseUrl, email: adminEmail, password: adminPassword });
      const workspaces = (await (await page.request.get(`${baseUrl}/api/workspaces`)).json()) as {
        workspaces: { slug: string }[];
      };
      const slug = workspaces.workspaces[0]!.slug;
      const documents = (await (
        await page.request.get(`${baseUrl}/api/workspaces/${slug}/documents`)
      ).json()) as {
        documents: { id: string; name: string }[];
      };
      const idOf = (name: string) => documents.documents.find((document) => document.name === name)!.id;
      const chunks = (
        (await (
          await page.request.get(`${baseUrl}/api/workspaces/${slug}/documents/${idOf("员工手册.md")}/chunks`)
        ).json()) as { chunks: StoredChunk[] }
      ).chunks;
      const reimbursement = chunks.find((chunk) => chunk.text.includes("附上发票原件"))!;
      await page.goto(
        `${baseUrl}/workspaces/${slug}/documents/${idOf("员工手册.md")}/view?chunk=${reimbursement.chunkId}`,
      );
      await page.locator(".viewer-text mark").first().waitFor();
      expect(
        await page.getByRole("navigation", { name: "引用段落所在章节" }).locator("li").allTextContents(),
      ).toEqual(["员工手册", "报销流程"]);
      await page.locator(".mind-map g.markmap-node").first().waitFor();
      const textBox = await page.locator(".viewer-text").boundingBox();
      const mapBox = await page.locator(".mind-map").boundingBox();
      expect(mapBox!.y).toBeGreaterThanOrEqual(textBox!.y + textBox!.height);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "23-phone-viewer-markdown");

      await page.goto(`${baseUrl}/workspaces/${slug}/documents/${idOf("zh-two-page.pdf")}/view?page=2`);
      await page.locator('.pdf-page[data-page-number="2"]').waitFor();
      await expect.poll(() => page.locator(".textLayer span").count()).toBeGreaterThan(0);
      expect(await page.locator(".pdf-page-number").textContent()).toBe("第 2 页，共 2 页");
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
      await screenshot(page, "24-phone-viewer-pdf");
      expect(pageErrors).toEqual([]);
    } finally {
      await context.close();
    }
  }, 120_000);
});
