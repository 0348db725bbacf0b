// @vitest-environment node
/**
 * Two people, two browsers, one fresh install: the first visitor creates the admin and a workspace, adds a
 * member and shares the workspace as viewer; the member, in a second browser context with its own cookies,
 * signs in, sees only that workspace, cannot upload, and can ask. The admin creates an API key that works
 * on /v1 and revokes it; both sign out. Screenshots of the login, users, members and API keys screens in
 * English and Chinese.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { launchChromium, type RunningZhiku, screenshot, signIn, startZhiku } from "./harness";

const admin = { email: "lin.admin@zhiku.test", password: "admin passphrase 1" };
const member = { email: "wang.member@zhiku.test", password: "member passphrase 2" };

const handbook = `# 员工手册

## 年假

正式员工每年享有 15 天带薪年假，入职满五年后增加到 20 天。
`;

describe("accounts and sharing in two browsers against the real server", () => {
  let zhiku: RunningZhiku;
  let browser: Browser;
  let fixtureDirectory: string;
  const contexts: BrowserContext[] = [];

  beforeAll(async () => {
    fixtureDirectory = await mkdtemp(join(tmpdir(), "zhiku-e2e-auth-"));
    await writeFile(join(fixtureDirectory, "员工手册.md"), handbook);
    zhiku = await startZhiku({ standIn: { tokenDelayMs: 10 } });
    browser = await launchChromium();
  }, 120_000);

  afterAll(async () => {
    for (const context of contexts) await context.close().catch(() => {});
    await browser?.close();
    await zhiku?.stop();
    if (fixtureDirectory) await rm(fixtureDirectory, { recursive: true, force: true });
  }, 60_000);

  async function newPage(locale: string): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
    contexts.push(context);
    const page = await context.newPage();
    const errors: string[] = [];
    page.on("pageerror", (error) => errors.push(error.message));
    page.on("dialog", (dialog) => void dialog.accept());
    return { page, errors };
  }

  it("fresh install → admin → workspace → member shared as viewer → member asks; API key; sign out", async () => {
    const { baseUrl } = zhiku;

    // ── Admin, first browser: the first visitor creates the admin, then the first workspace.
    const { page: adminPage, errors: adminErrors } = await newPage("en-US");
    await adminPage.goto(`${baseUrl}/settings`);
    await adminPage.waitForURL(/\/welcome$/);
    await adminPage.getByText("Step 1 of 2").waitFor();
    await adminPage.getByLabel("Email").fill(admin.email);
    await adminPage.getByLabel("Password", { exact: true }).fill(admin.password);
    await adminPage.getByLabel("Repeat the password").fill(admin.password);
    await screenshot(adminPage, "20-setup-admin");
    await adminPage.getByRole("button", { name: "Create administrator" }).click();
    await adminPage.getByText("Step 2 of 2").waitFor();
    await adminPage.getByLabel("Workspace name").fill("Handbook");
    await adminPage.getByRole("button", { name: "Create workspace" }).click();
    await adminPage.waitForURL(/\/workspaces\/[^/]+\/documents$/);
    const slug = new URL(adminPage.url()).pathname.split("/")[2]!;
    await adminPage.locator('input[type="file"]').setInputFiles(join(fixtureDirectory, "员工手册.md"));
    await adminPage
      .locator(".document-row", { hasText: "员工手册.md" })
      .getByText("Ready")
      .waitFor({ timeout: 60_000 });

    // A second workspace the member must never see.
    await adminPage.getByRole("button", { name: "New workspace" }).click();
    await adminPage.getByLabel("Name of the new workspace").fill("Board minutes");
    await adminPage.getByRole("button", { name: "Create", exact: true }).click();
    await adminPage.waitForURL(
      (url) => /\/workspaces\/[^/]+\/documents$/.test(url.pathname) && !url.pathname.includes(`/${slug}/`),
    );
    const secretSlug = new URL(adminPage.url()).pathname.split("/")[2]!;
    expect(secretSlug).not.toBe(slug);

    // Users: add the member.
    await adminPage.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Settings" }).click();
    await adminPage
      .getByRole("navigation", { name: "Settings sections" })
      .getByRole("link", { name: "Users" })
      .click();
    await adminPage.waitForURL(/\/settings\/users$/);
    const createUser = adminPage.locator("form", {
      has: adminPage.getByRole("button", { name: "Add user" }),
    });
    await createUser.getByLabel("Email").fill(member.email);
    await createUser.getByLabel("Password").fill("short");
    await createUser.getByRole("button", { name: "Add user" }).click();
    // A too-short password is refused at the field, which gets focus.
    await createUser.getByText("The password needs at least 8 characters.").waitFor();
    expect(
      await createUser.getByLabel("Password").evaluate((element) => element === document.activeElement),
    ).toBe(true);
    await createUser.getByLabel("Password").fill(member.password);
    await createUser.getByLabel("Role").selectOption("member");
    await createUser.getByRole("button", { name: "Add user" }).click();
    await adminPage.getByRole("row", { name: new RegExp(member.email) }).waitFor();
    await screenshot(adminPage, "21-users-en");

    // Members: share Handbook with the member as viewer.
    await adminPage.goto(`${baseUrl}/settings?workspace=${slug}#members`);
    const members = adminPage.locator("#members");
    await members.getByLabel("Email of the user").fill("nobody@zhiku.test");
    await members.getByRole("button", { name: "Share" }).click();
    await members.getByText("No user has this email.", { exact: false }).waitFor();
    await members.getByLabel("Email of the user").fill(member.email);
    await members.getByLabel("Role", { exact: true }).selectOption("viewer");
    await members.getByRole("button", { name: "Share" }).click();
    const memberRow = members.getByRole("row", { name: new RegExp(member.email) });
    await memberRow.waitFor();
    expect(await memberRow.getByRole("combobox").inputValue()).toBe("viewer");
    await screenshot(adminPage, "22-members-en");

    // ── Member, second browser context (its own cookies).
    const { page: memberPage, errors: memberErrors } = await newPage("en-US");
    await memberPage.goto(`${baseUrl}/workspaces/${slug}`);
    await memberPage.waitForURL(/\/login$/);
    await memberPage.getByLabel("Email").fill(member.email);
    await memberPage.getByLabel("Password").fill("not my password");
    await memberPage.getByRole("button", { name: "Sign in" }).click();
    await memberPage.getByRole("alert").filter({ hasText: "Wrong email or password." }).waitFor();
    await screenshot(memberPage, "23-login-error-en");
    await memberPage.getByLabel("Password").fill(member.password);
    await memberPage.getByRole("button", { name: "Sign in" }).click();
    // Back to the page asked for.
    await memberPage.waitForURL(new RegExp(`/workspaces/${slug}$`));
    await memberPage.getByLabel("Your question").waitFor();

    // Only the shared workspace exists for the member: in the switcher, the API, and by address.
    const options = await memberPage
      .getByRole("combobox", { name: "Workspace" })
      .locator("option")
      .evaluateAll((elements) => elements.map((element) => (element as HTMLOptionElement).value));
    expect(options.filter((value) => value)).toEqual([slug]);
    const listed = (await (await memberPage.request.get(`${baseUrl}/api/workspaces`)).json()) as {
      workspaces: { slug: string; myRole: string }[];
    };
    expect(listed.workspaces.map((workspace) => [workspace.slug, workspace.myRole])).toEqual([
      [slug, "viewer"],
    ]);
    expect((await memberPage.request.get(`${baseUrl}/api/workspaces/${secretSlug}`)).status()).toBe(404);

    // A viewer gets no upload or delete controls, and the server refuses an upload anyway.
    await memberPage.goto(`${baseUrl}/workspaces/${slug}/documents`);
    await memberPage.locator(".document-row", { hasText: "员工手册.md" }).getByText("Ready").waitFor();
    await memberPage.getByText("You are a viewer here", { exact: false }).waitFor();
    expect(await memberPage.locator('input[type="file"]').count()).toBe(0);
    expect(await memberPage.getByRole("button", { name: "Delete" }).count()).toBe(0);
    const refused = await memberPage.request.post(`${baseUrl}/api/workspaces/${slug}/documents`, {
      headers: { "X-Zhiku-CSRF": "1" },
      multipart: { file: { name: "x.txt", mimeType: "text/plain", buffer: Buffer.from("sneaky") } },
    });
    expect(refused.status()).toBe(403);
    await screenshot(memberPage, "24-member-documents-viewer");
    await memberPage.goto(`${baseUrl}/workspaces/${secretSlug}`);
    await memberPage.getByRole("heading", { name: `Workspace “${secretSlug}” was not found.` }).waitFor();

    // …but can ask.
    await memberPage.goto(`${baseUrl}/workspaces/${slug}`);
    const question = memberPage.getByLabel("Your question");
    await question.fill("年假有几天？");
    await question.press("Enter");
    await memberPage.getByRole("button", { name: "Regenerate" }).waitFor({ timeout: 60_000 });
    const answer = memberPage.locator(".message.assistant").last();
    expect(await answer.textContent()).toContain("年假");
    expect(await answer.locator(".chip").count()).toBeGreaterThan(0);
    await screenshot(memberPage, "25-member-chat");

    // ── Admin: an API key limited to Handbook, shown once, works on /v1/models, then revoked.
    await adminPage.goto(`${baseUrl}/settings/api-keys`);
    await adminPage.getByText("No API keys yet.").waitFor();
    await adminPage.getByLabel("Name").fill("Editor plugin");
    await adminPage.getByLabel("Limited to workspace").selectOption(slug);
    await adminPage.getByRole("button", { name: "Create key" }).click();
    const dialog = adminPage.getByRole("dialog");
    await dialog.waitFor();
    const key = await dialog.getByLabel("API key").inputValue();
    expect(key).toMatch(/^zk_/);
    await screenshot(adminPage, "26-api-key-dialog-en");
    await dialog.getByRole("button", { name: "I have copied it" }).click();
    await dialog.waitFor({ state: "detached" });
    expect(await adminPage.content()).not.toContain(key);
    const keyRow = adminPage.getByRole("row", { name: /Editor plugin/ });
    expect(await keyRow.textContent()).toContain("Handbook");
    await screenshot(adminPage, "27-api-keys-en");

    // Like curl: no cookies, only the key.
    const models = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(models.status).toBe(200);
    const modelList = (await models.json()) as { data: { id: string }[] };
    expect(modelList.data.map((model) => model.id)).toEqual([slug]);
    expect((await fetch(`${baseUrl}/v1/models`)).status).toBe(401);
    // The list now shows when it was last used.
    await adminPage.reload();
    expect(await adminPage.getByRole("row", { name: /Editor plugin/ }).textContent()).not.toContain("Never");
    await adminPage.getByRole("button", { name: "Revoke Editor plugin" }).click();
    await adminPage.getByText("No API keys yet.").waitFor();
    const revoked = await fetch(`${baseUrl}/v1/models`, { headers: { authorization: `Bearer ${key}` } });
    expect(revoked.status).toBe(401);

    // Audit log: the sign-ins and the sharing are there.
    await adminPage.getByRole("link", { name: "Audit log" }).click();
    await adminPage.waitForURL(/\/settings\/audit$/);
    const audit = adminPage.locator(".audit-table");
    await audit.waitFor();
    expect(await audit.textContent()).toContain("member.added");
    expect(await audit.textContent()).toContain("auth.login_failed");
    await screenshot(adminPage, "28-audit-en");

    // ── The same screens in Chinese.
    await adminPage.getByRole("combobox", { name: "Language" }).selectOption("zh");
    await adminPage.getByRole("navigation", { name: "设置分类" }).getByRole("link", { name: "用户" }).click();
    await adminPage.getByRole("heading", { name: "全部用户" }).waitFor();
    await adminPage.getByRole("row", { name: new RegExp(member.email) }).waitFor();
    await screenshot(adminPage, "29-users-zh");
    await adminPage.goto(`${baseUrl}/settings?workspace=${slug}#members`);
    await adminPage
      .locator("#members")
      .getByRole("row", { name: new RegExp(member.email) })
      .waitFor();
    await screenshot(adminPage, "30-members-zh");
    await adminPage.goto(`${baseUrl}/settings/api-keys`);
    await adminPage.getByLabel("名称").fill("命令行");
    await adminPage.getByRole("button", { name: "创建密钥" }).click();
    await adminPage.getByRole("dialog").getByText("请立即复制密钥。", { exact: false }).waitFor();
    await screenshot(adminPage, "31-api-key-dialog-zh");
    await adminPage.getByRole("button", { name: "我已复制" }).click();
    await adminPage.getByRole("row", { name: /命令行/ }).waitFor();
    await screenshot(adminPage, "32-api-keys-zh");

    // ── Both sign out; the member's old cookie no longer opens anything.
    await memberPage.getByRole("button", { name: "Sign out" }).click();
    await memberPage.waitForURL(/\/login$/);
    expect((await memberPage.request.get(`${baseUrl}/api/workspaces`)).status()).toBe(401);
    await memberPage.goto(`${baseUrl}/workspaces/${slug}`);
    await memberPage.waitForURL(/\/login$/);
    await memberPage.getByRole("combobox", { name: "Language" }).selectOption("zh");
    await memberPage.getByRole("heading", { name: "登录知库" }).waitFor();
    await screenshot(memberPage, "33-login-zh");
    await memberPage.getByRole("combobox", { name: "语言" }).selectOption("en");
    await memberPage.getByRole("heading", { name: "Sign in to Zhiku" }).waitFor();
    await screenshot(memberPage, "34-login-en");
    await adminPage.getByRole("button", { name: "退出登录" }).click();
    await adminPage.waitForURL(/\/login$/);

    // The admin signs in again through the shared helper and lands on a workspace.
    await signIn(adminPage, { baseUrl, ...admin });
    await adminPage.waitForURL(/\/workspaces\/[^/]+/);

    expect(adminErrors).toEqual([]);
    expect(memberErrors).toEqual([]);
  }, 240_000);
});
