#!/usr/bin/env node
/**
 * Stress run for issue 13 item 2 ("native heap corruption under concurrent ingestion"): builds the server, starts it
 * and the stand-in Ollama on 127.0.0.1, and repeats rounds of
 *   - `--uploads` concurrent uploads of `--files` generated Markdown files each,
 *   - a concurrent `zhiku ingest` of `--cli-files` more files into the same workspace of the same DATA_DIR,
 *   - `--chats` concurrent streamed chats,
 * while `/api/health`, and the stand-in's own `/api/tags` beside it, are polled every 100 ms from a worker thread
 * (`poll-latency.mjs`; the driver's own event loop is busy). Runs for `--minutes` (default 2; each round waits for its documents to
 * be ready, up to `--round-timeout` seconds). A server that exits is a crash: its last output is kept, and a new one
 * is started on the same DATA_DIR for the next round. Prints one JSON report: rounds, crashes (0 expected), CLI exit
 * codes, documents ready or failed, /api/health latency (p50, p99, worst, samples over 500 ms, the slowest samples
 * beside the Ollama answer that overlapped each) and the stand-in's. Figures come from
 * the stand-in Ollama, not a real model: embedding and chat latencies are the stand-in's.
 *
 *   node bench/stress/run.mjs [--minutes 2] [--uploads 3] [--files 100] [--cli-files 100] [--chats 5]
 *                             [--workers 2] [--no-build] [--out bench/results/stress.json]
 *                             [--server-node-args="--cpu-prof --cpu-prof-dir=DIR"]   (Node flags for the server)
 *
 * Heap checks: run with `MALLOC_CHECK_=3 LD_PRELOAD=libc_malloc_debug.so.0` (glibc 2.34 and later) and the server and
 * CLI inherit them; glibc then aborts at the first corrupted free instead of later and elsewhere.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import os from "node:os";
import { dirname, join, resolve } from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({
  options: {
    minutes: { type: "string", default: "2" },
    uploads: { type: "string", default: "3" },
    files: { type: "string", default: "100" },
    "cli-files": { type: "string", default: "100" },
    chats: { type: "string", default: "5" },
    workers: { type: "string", default: "2" },
    "round-timeout": { type: "string", default: "600" },
    "no-build": { type: "boolean", default: false },
    "server-node-args": { type: "string", default: "" },
    out: { type: "string" },
  },
});
const settings = {
  minutes: Number(values.minutes),
  uploads: Number(values.uploads),
  files: Number(values.files),
  cliFiles: Number(values["cli-files"]),
  chats: Number(values.chats),
  workers: Number(values.workers),
  roundTimeoutMs: Number(values["round-timeout"]) * 1000,
};
const admin = { email: "stress@example.com", password: "stress-password-1" };
const workspace = "stress";

if (!values["no-build"]) {
  const build = spawnSync("npx", ["tsc", "-b"], { cwd: root, stdio: "inherit" });
  if (build.status !== 0) throw new Error("npx tsc -b failed");
}

/** A free loopback port. */
function freePort() {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once("error", fail);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address();
      probe.close(() => done(port));
    });
  });
}

/** Spawns a Node script and resolves once `ready` matches its output; keeps its last output. */
function startProcess(script, args, environment, ready, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, script, ...args], {
    cwd: root,
    env: { ...process.env, ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const state = { child, output: "", events: [], foldMs: [], exit: undefined };
  let partial = "";
  const keep = (chunk) => {
    state.output = (state.output + chunk.toString()).slice(-20_000);
    // Apart from the request lines that fill the output: the last 40 other lines, and each index fold's time.
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) {
      if (line.includes('"msg":"Request"')) continue;
      state.events = [...state.events.slice(-39), line.slice(0, 600)];
      const fold = /"ms":(\d+),"msg":"Search indexes updated/.exec(line);
      if (fold) state.foldMs.push(Number(fold[1]));
    }
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  state.exited = new Promise((done) =>
    child.once("exit", (code, signal) => {
      state.exit = { code, signal };
      done(state.exit);
    }),
  );
  state.ready = new Promise((done, fail) => {
    const check = () => {
      const match = ready.exec(state.output);
      if (match) done(match);
    };
    child.stdout.on("data", check);
    child.stderr.on("data", check);
    state.exited.then(() => fail(new Error(`${script} exited before it was ready:\n${state.output}`)));
  });
  return state;
}

const standInPort = await freePort();
const standIn = startProcess(
  "packages/stand-in-ollama/dist/main.js",
  ["--port", String(standInPort)],
  {},
  /http:\/\/127\.0\.0\.1:\d+/,
);
await standIn.ready;
const ollamaHost = `http://127.0.0.1:${standInPort}`;
const dataDir = await mkdtemp(join(os.tmpdir(), "zhiku-stress-"));
const serverEnvironment = {
  PORT: "0",
  HOST: "127.0.0.1",
  DATA_DIR: dataDir,
  OLLAMA_HOST: ollamaHost,
  ADMIN_EMAIL: admin.email,
  ADMIN_PASSWORD: admin.password,
  INGEST_WORKERS: String(settings.workers),
  LOG_LEVEL: "info",
};

let server;
let origin;
let cookie = "";
async function startServer() {
  server = startProcess(
    "apps/server/dist/main.js",
    [],
    serverEnvironment,
    /"url":"(http:\/\/[^"]+)"/,
    values["server-node-args"].split(" ").filter(Boolean),
  );
  origin = (await server.ready)[1];
  const login = await fetch(`${origin}/api/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(admin),
  });
  if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
  cookie = (login.headers.get("set-cookie") ?? "").split(";")[0];
}

function api(path, init = {}) {
  const headers = new Headers(init.headers);
  headers.set("cookie", cookie);
  headers.set("x-zhiku-csrf", "1");
  return fetch(`${origin}${path}`, { ...init, headers });
}

const topics = ["磁盘配额", "分片扩容", "倒排索引", "向量检索", "备份恢复", "日志轮转", "连接池", "缓存失效"];
/** A Markdown document unique to (round, source, index), so no line repeats as boilerplate. */
function documentText(round, source, index) {
  const topic = topics[index % topics.length];
  const code = `ERR-${round}${source}${index}`;
  const sections = Array.from(
    { length: 4 },
    (_, part) =>
      `## ${topic} ${part}\n\n${code} 表示第 ${index} 号分片的${topic}出现问题（第 ${part} 部分）。` +
      `Run zk-admin shard ${index} --grow --part ${part} after checking ${topic} on node ${round}-${source}.`,
  );
  return `# ${topic} ${code}\n\n${sections.join("\n\n")}\n`;
}

/** The repo's PDF, DOCX and HTML fixtures: one file in ten of an upload is one of them, so every parser runs. */
const fixtures = await Promise.all(
  ["zh-two-page.pdf", "headings.docx", "scraped-zh.html"].map(async (name) => ({
    name,
    bytes: await readFile(join(root, "packages/ingest/fixtures", name)),
  })),
);

async function upload(round, source) {
  const form = new FormData();
  for (let index = 0; index < settings.files; index += 1) {
    const name = `r${round}-u${source}-${index}`;
    const fixture =
      index % 10 === 9 ? fixtures[(Math.floor(index / 10) + source) % fixtures.length] : undefined;
    if (fixture) form.append("file", new File([fixture.bytes], `${name}-${fixture.name}`));
    else
      form.append(
        "file",
        new File([documentText(round, source, index)], `${name}.md`, { type: "text/markdown" }),
      );
  }
  const response = await api(`/api/workspaces/${workspace}/documents`, { method: "POST", body: form });
  await response.body?.cancel();
  return response.status;
}

async function cliIngest(round) {
  const folder = join(dataDir, "..", `${dataDir.split("/").at(-1)}-cli-${round}`);
  await mkdir(folder, { recursive: true });
  for (let index = 0; index < settings.cliFiles; index += 1)
    await writeFile(join(folder, `r${round}-cli-${index}.md`), documentText(round, 9, index));
  const cli = startProcess(
    "apps/server/bin/zhiku.js",
    ["ingest", "--workspace", workspace, folder],
    { DATA_DIR: dataDir, OLLAMA_HOST: ollamaHost },
    /$^/,
  );
  cli.ready.catch(() => {});
  const exit = await cli.exited;
  await rm(folder, { recursive: true, force: true });
  return { ...exit, tail: exit.code === 0 ? undefined : cli.output.slice(-2_000) };
}

async function chat(index) {
  const response = await api(`/api/workspaces/${workspace}/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ message: `${topics[index % topics.length]}出现问题时怎么处理？` }),
  });
  const text = await response.text();
  return response.status === 200 && text.includes("event: done") ? "done" : `status ${response.status}`;
}

/**
 * Polls `/api/health` and the stand-in Ollama's own `/api/tags` (what health asks Ollama) every 100 ms from a worker
 * thread; resolves, once stopped, to each one's `[startedAtEpochMs, tookMs]` samples. A restarted server gets a
 * new origin, so a poller runs per server.
 */
function startPollers() {
  const urls = { health: `${origin}/api/health`, ollamaTags: `${ollamaHost}/api/tags` };
  const worker = new Worker(new URL("./poll-latency.mjs", import.meta.url), {
    workerData: { urls: Object.values(urls) },
  });
  const finished = new Promise((done, fail) => {
    worker.once("message", (samples) =>
      done({ health: samples[urls.health], ollamaTags: samples[urls.ollamaTags] }),
    );
    worker.once("error", fail);
  });
  return {
    async stop() {
      worker.postMessage("stop");
      const samples = await finished;
      await worker.terminate();
      return samples;
    },
  };
}

/** Documents by status, from `/api/metrics` (all workspaces; the run has one): cheap, unlike listing thousands. */
async function documentStatuses() {
  const response = await api("/api/metrics");
  if (response.status !== 200) return {};
  const counts = {};
  for (const [, status, count] of (await response.text()).matchAll(
    /^zhiku_documents\{status="(\w+)"\} (\d+)$/gm,
  ))
    if (Number(count) > 0) counts[status] = Number(count);
  return counts;
}

const report = {
  settings,
  note:
    "stand-in Ollama: embedding and chat times are not a real model's. Latencies are from a machine shared with " +
    "other work (see loadAverage), so they are pessimistic.",
  machine: { cpus: os.availableParallelism(), node: process.version },
  loadAverage: { start: os.loadavg().map((load) => Number(load.toFixed(2))) },
  rounds: 0,
  crashes: [],
  cli: [],
  uploads: [],
  chats: [],
  documents: {},
  health: {},
};
const deadline = Date.now() + settings.minutes * 60_000;
await startServer();
const created = await api("/api/workspaces", {
  method: "POST",
  headers: { "content-type": "application/json" },
  body: JSON.stringify({ name: "Stress", slug: workspace }),
});
if (created.status !== 201) throw new Error(`creating the workspace failed: ${created.status}`);
const samples = { health: [], ollamaTags: [] };
let pollers = startPollers();
async function collectSamples() {
  const taken = await pollers.stop();
  samples.health.push(...taken.health);
  samples.ollamaTags.push(...taken.ollamaTags);
}
const runStartedAt = performance.timeOrigin + performance.now();

let expected = 0;
for (let round = 0; Date.now() < deadline; round += 1) {
  const work = Promise.all([
    Promise.all(Array.from({ length: settings.uploads }, (_, source) => upload(round, source))),
    cliIngest(round),
    Promise.all(Array.from({ length: settings.chats }, (_, index) => chat(index))),
  ]);
  const outcome = await Promise.race([work, server.exited.then(() => undefined)]);
  if (outcome) {
    const [uploads, cli, chats] = outcome;
    report.uploads.push(...uploads);
    report.cli.push({ round, code: cli.code, signal: cli.signal, ...(cli.tail ? { tail: cli.tail } : {}) });
    report.chats.push(...chats);
    // Only what was accepted is waited for.
    expected += uploads.filter((status) => status === 202).length * settings.files;
    if (cli.code === 0) expected += settings.cliFiles;
  }
  // Until every document is ready or failed, the round times out, or the server dies.
  const roundEnd = Date.now() + settings.roundTimeoutMs;
  while (server.exit === undefined && Date.now() < roundEnd) {
    const counts = await documentStatuses().catch(() => ({}));
    report.documents = counts;
    if ((counts.ready ?? 0) + (counts.failed ?? 0) >= expected) break;
    await new Promise((done) => setTimeout(done, 1_000));
  }
  report.rounds += 1;
  if (server.exit !== undefined) {
    const crash = { round, ...server.exit, tail: server.output.slice(-4_000) };
    report.crashes.push(crash);
    console.error(`server crashed in round ${round}: ${JSON.stringify(server.exit)}\n${crash.tail}`);
    await work.catch(() => {});
    await collectSamples();
    await startServer();
    pollers = startPollers();
  }
  console.error(`round ${round} done: ${JSON.stringify(report.documents)}`);
}

await collectSamples();
server.child.kill("SIGTERM");
report.serverStop = await server.exited;
if (report.serverStop.code !== 0) report.serverStop.events = server.events;
report.foldMs = server.foldMs;
standIn.child.kill("SIGTERM");
await standIn.exited;
await rm(dataDir, { recursive: true, force: true });

report.loadAverage.end = os.loadavg().map((load) => Number(load.toFixed(2)));
/** p50, p99, worst and the count over 500 ms of `[startedAt, tookMs]` samples. */
function latency(taken) {
  const sorted = taken.map(([, took]) => took).sort((a, b) => a - b);
  const percentile = (share) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * share))] ?? 0;
  return {
    samples: sorted.length,
    p50Ms: percentile(0.5),
    p99Ms: percentile(0.99),
    worstMs: sorted.at(-1) ?? 0,
    over500Ms: sorted.filter((took) => took > 500).length,
  };
}
report.health = latency(samples.health);
report.ollamaTags = latency(samples.ollamaTags);
// Each slow health sample beside the slowest Ollama `/api/tags` answer that overlapped it: whose wait it was.
const overlapping = ([start, took]) =>
  Math.max(
    0,
    ...samples.ollamaTags
      .filter(([at, time]) => at < start + took && at + time > start)
      .map(([, time]) => time),
  );
report.health.slowest = samples.health
  .filter(([, took]) => took > 250)
  .sort((a, b) => b[1] - a[1])
  .slice(0, 10)
  .map((sample) => ({
    atSeconds: Math.round((sample[0] - runStartedAt) / 100) / 10,
    healthMs: sample[1],
    ollamaTagsMs: overlapping(sample),
  }));
const summary = {
  ...report,
  crashCount: report.crashes.length,
  uploads: countBy(report.uploads),
  chats: countBy(report.chats),
};
console.log(JSON.stringify(summary, null, 2));
if (values.out) await writeFile(values.out, `${JSON.stringify(summary, null, 2)}\n`);
process.exitCode = report.crashes.length > 0 ? 1 : 0;

function countBy(items) {
  const counts = {};
  for (const item of items) counts[item] = (counts[item] ?? 0) + 1;
  return counts;
}
