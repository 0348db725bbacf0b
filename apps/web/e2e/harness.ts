/**
 * Shared by the browser flows: start the built server on a free port against the stand-in Ollama, launch
 * Debian's Chromium, sign in through the login page, and save screenshots to E2E_SCREENSHOT_DIR
 * (default test-results/screenshots at the repository root).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { type StandInOllama, type StandInOllamaOptions, startStandInOllama } from "@zhiku/stand-in-ollama";
import { type Browser, chromium, type Page } from "playwright-core";

const repositoryRoot = fileURLToPath(new URL("../../../", import.meta.url));
const serverEntry = join(repositoryRoot, "apps/server/dist/main.js");
const webIndex = join(repositoryRoot, "apps/web/dist/index.html");
const chromiumPath = "/usr/bin/chromium";

/** Where screenshots go. */
export const screenshotDirectory = resolve(
  repositoryRoot,
  process.env.E2E_SCREENSHOT_DIR ?? "test-results/screenshots",
);

/** The built server, running. */
export interface RunningZhiku {
  /** Its address, such as http://127.0.0.1:41234. */
  baseUrl: string;
  /** The stand-in Ollama it talks to. */
  standIn: StandInOllama;
  /** Everything the server printed so far. */
  output: () => string;
  /** Stops the server and the stand-in and removes the data directory. */
  stop: () => Promise<void>;
}

/** Options of {@link startZhiku}. */
export interface StartZhikuOptions {
  /** Extra environment for the server (ADMIN_EMAIL and ADMIN_PASSWORD for a headless install). */
  env?: Record<string, string>;
  /** Behaviour of the stand-in Ollama. */
  standIn?: StandInOllamaOptions;
}

async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForHealth(baseUrl: string, server: ChildProcess, output: () => string): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    if (server.exitCode !== null) throw new Error(`The server exited (${server.exitCode}):\n${output()}`);
    try {
      const response = await fetch(`${baseUrl}/api/health`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((wait) => setTimeout(wait, 100));
  }
  throw new Error(`The server did not answer /api/health within 30 s:\n${output()}`);
}

/** Fails with a fix-it message when the builds or Chromium are missing. */
export function checkPrerequisites(): void {
  if (!existsSync(serverEntry))
    throw new Error("apps/server/dist/main.js is missing: run `npm run build` first");
  if (!existsSync(webIndex))
    throw new Error("apps/web/dist/index.html is missing: run `npm run build` first");
  if (!existsSync(chromiumPath))
    throw new Error(`${chromiumPath} is missing: install Debian's chromium package`);
}

/** Starts the built server with a fresh data directory on the stand-in Ollama. */
export async function startZhiku(options: StartZhikuOptions = {}): Promise<RunningZhiku> {
  checkPrerequisites();
  await mkdir(screenshotDirectory, { recursive: true });
  const dataDirectory = await mkdtemp(join(tmpdir(), "zhiku-e2e-data-"));
  const standIn = await startStandInOllama(options.standIn ?? {});
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  let output = "";
  const server = spawn(process.execPath, [serverEntry], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      DATA_DIR: dataDirectory,
      OLLAMA_HOST: standIn.url,
      LOG_LEVEL: "warn",
      ...options.env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server.stdout?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  server.stderr?.on("data", (chunk: Buffer) => {
    output += chunk.toString();
  });
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((resolveExit) => server.once("exit", resolveExit));
      server.kill("SIGTERM");
      await Promise.race([exited, new Promise((wait) => setTimeout(wait, 10_000))]);
      if (server.exitCode === null) server.kill("SIGKILL");
    }
    await standIn.close();
    await rm(dataDirectory, { recursive: true, force: true });
  };
  try {
    await waitForHealth(baseUrl, server, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  return { baseUrl, standIn, output: () => output, stop };
}

/** Launches headless Chromium (Debian's package). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/**
 * Signs in through the login page, in whatever language it shows (fields found by name), and waits until
 * the app has left it. Starts from `path`, which the guard turns into the login page and returns to.
 */
export async function signIn(
  page: Page,
  options: { baseUrl: string; email: string; password: string; path?: string },
): Promise<void> {
  await page.goto(`${options.baseUrl}${options.path ?? "/"}`);
  await page.waitForURL(/\/login$/);
  await page.locator('input[name="email"]').fill(options.email);
  await page.locator('input[name="password"]').fill(options.password);
  await page.locator('form button[type="submit"]').click();
  await page.waitForURL((url) => url.pathname !== "/login");
}

/** Saves a screenshot of the visible page under `name`.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(screenshotDirectory, `${name}.png`), fullPage: false });
}
