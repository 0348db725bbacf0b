/**
 * How long a source's sync takes, against the built server over HTTP: a loopback website of --pages pages (a home
 * page, index pages linking ten pages each) and a local Git repository of --files Markdown files. For each it prints the
 * first sync (list, fetch or read, hash, queue), the time until every document is ingested (embedding by the stand-in
 * Ollama, so those figures are the stand-in's, not a real model's), and a second sync with nothing changed (the cost
 * of a scheduled sync that finds no change). Writes the figures to --out.
 *
 *   npm run build && node bench/sources/sync.mjs [--pages 200] [--files 500] [--out bench/results/sources-sync.json]
 */
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import os from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { startStandInOllama } from "@zhiku/stand-in-ollama";

const { values } = parseArgs({
  options: {
    pages: { type: "string", default: "200" },
    files: { type: "string", default: "500" },
    out: { type: "string", default: "bench/results/sources-sync.json" },
  },
});
const pageCount = Number(values.pages);
const fileCount = Number(values.files);
const repositoryRoot = fileURLToPath(new URL("../../", import.meta.url));
const email = "bench@zhiku.test";
const password = "bench password 1";

const paragraph = (index) =>
  `Section ${index} of the harbour handbook: the ferry to island ${index} leaves at ${index % 24}:00, ` +
  `and its berth is number ${index * 7}. Mooring lines are checked every ${1 + (index % 5)} hours.`;

/** A site whose home page links index pages that link ten content pages each (depth 2). */
async function startSite(pages) {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? "/", "http://site").pathname;
    if (path === "/robots.txt") {
      response.writeHead(200, { "content-type": "text/plain" });
      response.end("User-agent: *\nAllow: /\n");
      return;
    }
    const index = /^\/index\/(\d+)$/.exec(path);
    const page = /^\/page\/(\d+)$/.exec(path);
    if (path === "/") {
      const links = [];
      for (let from = 0; from < pages; from += 10) links.push(`<a href="/index/${from}">${from}</a>`);
      response.writeHead(200, { "content-type": "text/html" });
      response.end(`<html><body><h1>Handbook</h1><p>All sections.</p>${links.join(" ")}</body></html>`);
      return;
    }
    if (index) {
      const from = Number(index[1]);
      const links = [];
      for (let at = from; at < Math.min(from + 10, pages); at += 1)
        links.push(`<a href="/page/${at}">${at}</a>`);
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        `<html><body><h1>Index ${from}</h1><p>Pages ${from} to ${from + 9}.</p>${links.join(" ")}</body></html>`,
      );
      return;
    }
    if (page && Number(page[1]) < pages) {
      response.writeHead(200, { "content-type": "text/html" });
      response.end(
        `<html><body><article><h1>Page ${page[1]}</h1><p>${paragraph(Number(page[1]))}</p></article></body></html>`,
      );
      return;
    }
    response.writeHead(404);
    response.end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}/`,
    close: () => new Promise((r) => server.close(r)),
  };
}

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const work = await mkdtemp(join(os.tmpdir(), "zhiku-bench-sources-"));
const repository = join(work, "repo");
await mkdir(join(repository, "docs"), { recursive: true });
for (let index = 0; index < fileCount; index += 1) {
  await writeFile(join(repository, "docs", `note-${index}.md`), `# Note ${index}\n\n${paragraph(index)}\n`);
}
const git = (...args) =>
  execFileSync("git", ["-c", "user.name=Bench", "-c", "user.email=bench@zhiku.test", ...args], {
    cwd: repository,
    stdio: "pipe",
  });
git("init", "-q", "-b", "main");
git("add", "-A");
git("commit", "-q", "-m", "notes");

const standIn = await startStandInOllama({});
const site = await startSite(pageCount);
const port = await freePort();
const baseUrl = `http://127.0.0.1:${port}`;
const server = spawn(process.execPath, [join(repositoryRoot, "apps/server/dist/main.js")], {
  env: {
    ...process.env,
    PORT: String(port),
    HOST: "127.0.0.1",
    DATA_DIR: join(work, "data"),
    OLLAMA_HOST: standIn.url,
    LOG_LEVEL: "warn",
    ADMIN_EMAIL: email,
    ADMIN_PASSWORD: password,
    URL_ALLOWLIST: "127.0.0.1",
    SOURCE_FOLDER_ROOTS: work,
  },
  stdio: ["ignore", "inherit", "inherit"],
});

const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let cookie = "";
const api = async (path, init = {}) => {
  const response = await fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { cookie, "x-zhiku-csrf": "1", "content-type": "application/json", ...init.headers },
  });
  if (!response.ok)
    throw new Error(`${init.method ?? "GET"} ${path}: ${response.status} ${await response.text()}`);
  return response.status === 204 ? null : response.json();
};

try {
  for (let attempt = 0; ; attempt += 1) {
    try {
      if ((await fetch(`${baseUrl}/api/health`)).ok) break;
    } catch {
      if (attempt > 300) throw new Error("The server did not start");
    }
    await pause(100);
  }
  const login = await fetch(`${baseUrl}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-zhiku-csrf": "1" },
    body: JSON.stringify({ email, password }),
  });
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];

  const measure = async (slug, body, expected) => {
    await api("/api/workspaces", { method: "POST", body: JSON.stringify({ name: slug, slug }) });
    const { source } = await api(`/api/workspaces/${slug}/sources`, {
      method: "POST",
      body: JSON.stringify(body),
    });
    const sync = async () => {
      const started = performance.now();
      await api(`/api/workspaces/${slug}/sources/${source.id}/sync`, { method: "POST" });
      for (;;) {
        const { source: current } = await api(`/api/workspaces/${slug}/sources/${source.id}`);
        if (current.lastSync?.status !== "running")
          return { ms: performance.now() - started, lastSync: current.lastSync };
        await pause(50);
      }
    };
    const first = await sync();
    const queuedAt = performance.now();
    for (;;) {
      const { documents } = await api(`/api/workspaces/${slug}/documents`);
      if (documents.length >= expected && documents.every((document) => document.status === "ready")) break;
      if (documents.some((document) => document.status === "failed"))
        throw new Error(`${slug}: a document failed`);
      await pause(200);
    }
    const ingestedMs = performance.now() - queuedAt;
    const second = await sync();
    return {
      items: expected,
      firstSyncMs: Math.round(first.ms),
      firstSync: first.lastSync,
      ingestedAfterSyncMs: Math.round(ingestedMs),
      unchangedSyncMs: Math.round(second.ms),
      unchangedSync: second.lastSync,
    };
  };

  // The home and index pages are documents too (one index per ten pages).
  const indexPages = Math.ceil(pageCount / 10);
  const website = await measure(
    "site",
    {
      kind: "website",
      config: { url: site.url, maxDepth: 2, maxPages: 5000 },
      intervalMinutes: 0,
    },
    pageCount + indexPages + 1,
  );
  const repositoryFigures = await measure(
    "repo",
    { kind: "git", config: { url: repository, branch: "main" }, intervalMinutes: 0 },
    fileCount,
  );
  const result = {
    measuredAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version },
    embedder: "stand-in Ollama (deterministic; ingestion times are not a real model's)",
    website,
    git: repositoryFigures,
  };
  console.log(JSON.stringify(result, null, 2));
  await mkdir(join(repositoryRoot, "bench/results"), { recursive: true });
  await writeFile(join(repositoryRoot, values.out), `${JSON.stringify(result, null, 2)}\n`);
} finally {
  server.kill("SIGTERM");
  await new Promise((resolve) => server.once("exit", resolve));
  await site.close();
  await standIn.close();
  await rm(work, { recursive: true, force: true });
}
