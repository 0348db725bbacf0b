#!/usr/bin/env node
/**
 * Chat overhead benchmark (issue 3, `bench/chat`).
 *
 * Measures, inside the server process, the time from a chat request arriving to its first `token` event being
 * sent, minus the time the (stand-in) model itself took to produce its first piece: what retrieval, prompt
 * building, bookkeeping and streaming add on top of the model. Workspaces of 10k and 100k chunks, 1 and 20
 * concurrent chats; prints p50/p95 and writes `bench/results/chat-<size>.json`.
 *
 * How: the app is built exactly as in the route tests (temp DATA_DIR, stand-in Ollama, real LanceDB and SQLite)
 * and called through `app.fetch`, so no client network stack is counted. Every `fetch` the server makes runs in
 * the request's async context; the `/api/chat` one records when it was sent and when its first body chunk came
 * back, which is the model's own time to first token (HTTP to the stand-in included, as it would be to Ollama).
 * The query embedding round trip to the stand-in is *not* subtracted: it is part of retrieval, and a real
 * embedding model would add its own time there (reported separately as `embedMs`).
 *
 * Synthetic chunks are made by ingesting generated Markdown documents through the knowledge base (parse, chunk,
 * embed with the stand-in's 1024-dimension lexical embeddings, store, index), so the table, its full-text index
 * and (from 50k rows) its IVF-PQ vector index are the ones the server really searches.
 *
 * Usage (after `npm run build`):
 *   npm run bench:chat
 *   node bench/chat/run.mjs --sizes 10000,100000 --concurrency 1,20 --requests 200
 *   node bench/chat/run.mjs --data-dir /some/kept/dir   # populate once, measure again later in a minute
 */
import { AsyncLocalStorage } from "node:async_hooks";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

// LanceDB settings as the product's entry points set them, before LanceDB loads.
const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const scriptDirectory = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10000,100000" },
    concurrency: { type: "string", default: "1,20" },
    requests: { type: "string", default: "200" },
    warmup: { type: "string", default: "10" },
    "chunks-per-document": { type: "string", default: "5000" },
    "results-dir": { type: "string", default: path.resolve(scriptDirectory, "../results") },
    "data-dir": { type: "string" },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log(
    "node bench/chat/run.mjs [--sizes 10000,100000] [--concurrency 1,20] [--requests 200] [--warmup 10] [--data-dir DIR]",
  );
  process.exit(0);
}
const sizes = values.sizes.split(",").map(Number);
const concurrencies = values.concurrency.split(",").map(Number);
const requestCount = Number(values.requests);
const warmupCount = Number(values.warmup);
const chunksPerDocument = Number(values["chunks-per-document"]);

// Every fetch the server makes is attributed to the chat request whose async context it runs in.
/** @type {AsyncLocalStorage<{ chatSentAt?: number, chatFirstChunkAt?: number, embedMs: number, searchMs: number }>} */
const requestContext = new AsyncLocalStorage();
const originalFetch = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const timing = requestContext.getStore();
  const url = String(input instanceof Request ? input.url : input);
  if (!timing) return originalFetch(input, init);
  const sentAt = performance.now();
  const response = await originalFetch(input, init);
  if (url.endsWith("/api/embed")) {
    const body = await response.arrayBuffer();
    timing.embedMs += performance.now() - sentAt;
    return new Response(body, {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
    });
  }
  if (!url.endsWith("/api/chat") || !response.body) return response;
  timing.chatSentAt = sentAt;
  const recordFirst = new TransformStream({
    transform(chunk, controller) {
      timing.chatFirstChunkAt ??= performance.now();
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body.pipeThrough(recordFirst), {
    status: response.status,
    statusText: response.statusText,
    headers: response.headers,
  });
};

// Imported after the fetch hook so every client the app builds picks it up.
const { createTestServer } = await import("../../apps/server/dist/testing/test-server.js");
const { createApp } = await import("../../apps/server/dist/app.js");
const { openAppDeps } = await import("../../apps/server/dist/open-app-deps.js");
const { authPartsFor } = await import("../../apps/server/dist/auth/index.js");
const { parseEnvironment } = await import("../../apps/server/dist/env.js");
const { createLogger } = await import("../../apps/server/dist/logger.js");
const { startStandInOllama } = await import("@zhiku/stand-in-ollama");

/**
 * The app on a kept data directory (`--data-dir`), built as the server builds it, so a populated 100k-chunk
 * workspace can be measured again without ingesting it again. Without `--data-dir` the route tests' helper
 * makes a temporary one.
 */
async function createServer(dataDir) {
  if (!dataDir) {
    const server = await createTestServer({ ollama: { embeddingDimension: 1024 } });
    apiKey = server.admin.apiKey;
    return server;
  }
  await mkdir(dataDir, { recursive: true });
  const standIn = await startStandInOllama({ embeddingDimension: 1024 });
  const config = parseEnvironment({ DATA_DIR: dataDir, OLLAMA_HOST: standIn.url, LOG_LEVEL: "silent" });
  // The job queue is never started: the benchmark ingests in-process; the app's routes only need one.
  const { deps, shutdown } = await openAppDeps({ config, logger: createLogger("silent") });
  // The API needs a caller: an admin with an API key, as a script would use it.
  const { accounts } = authPartsFor(deps);
  const admin =
    accounts.findCredentials("bench@example.com")?.user ??
    accounts.createUser({ email: "bench@example.com", passwordHash: "unused", role: "admin" });
  apiKey = accounts.createApiKey({ userId: admin.id, name: "bench", workspaceId: null }).key;
  return {
    app: createApp(deps),
    deps,
    standIn,
    async close() {
      shutdown.abort();
      deps.events.close();
      await deps.jobs.close();
      await deps.kb.close();
      await standIn.close();
    },
  };
}

/** The API key the benchmark calls the app with (set when the app is built). */
let apiKey;

/** A seeded PRNG (mulberry32) so every run generates the same corpus and questions. */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Zipf-distributed vocabularies, so full-text postings have realistic selectivity (a tiny vocabulary makes every
 * n-gram match most rows, which no real corpus does): 20 000 English-like words built from syllables, and 3 500
 * Han characters paired into two-character words.
 */
function createVocabulary(random) {
  const syllables =
    "ka ri to mu se na lo pe vi du zo ha ne ti ba gu fe lu mo ri sa qu ex in or st tr ch sh".split(" ");
  const english = new Set();
  while (english.size < 20_000) {
    const length = 1 + Math.floor(random() * 3);
    english.add(Array.from({ length }, () => syllables[Math.floor(random() * syllables.length)]).join(""));
  }
  const han = Array.from({ length: 3_500 }, (_, index) => String.fromCodePoint(0x4e00 + index * 5));
  return { english: [...english], han };
}

/** Samples ranks 0..size-1 with probability proportional to 1 / (rank + 1)^1.1. */
function createZipf(size, random) {
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank += 1) {
    total += 1 / (rank + 1) ** 1.1;
    cumulative[rank] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = size - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (cumulative[middle] < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}

function createSentences(random) {
  const vocabulary = createVocabulary(random);
  const englishRank = createZipf(vocabulary.english.length, random);
  const hanRank = createZipf(vocabulary.han.length, random);
  /** A sentence of `words` words (default 8-17), in Chinese or English at random. */
  return (words) => {
    const chinese = random() < 0.5;
    const length = words ?? 8 + Math.floor(random() * 10);
    if (chinese) {
      return `${Array.from({ length }, () => vocabulary.han[hanRank()] + vocabulary.han[hanRank()]).join("")}。`;
    }
    return `${Array.from({ length }, () => vocabulary.english[englishRank()]).join(" ")}.`;
  };
}

/** A Markdown document whose paragraphs each fit one chunk (chunk size 100 tokens). */
function syntheticDocument(random, sentence, paragraphs) {
  const lines = [`# Synthetic ${Math.floor(random() * 1e9)}`];
  for (let paragraph = 0; paragraph < paragraphs; paragraph += 1) {
    if (paragraph % 50 === 0) lines.push(`## Section ${paragraph / 50}`);
    lines.push(`${sentence()} ${sentence()} ${sentence()}`);
  }
  return lines.join("\n\n");
}

function percentile(sorted, fraction) {
  if (sorted.length === 0) return Number.NaN;
  const position = Math.min(sorted.length - 1, Math.max(0, Math.ceil(fraction * sorted.length) - 1));
  return sorted[position];
}

function summarise(values) {
  const sorted = [...values].sort((left, right) => left - right);
  const round = (value) => Math.round(value * 100) / 100;
  return {
    p50: round(percentile(sorted, 0.5)),
    p95: round(percentile(sorted, 0.95)),
    mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
    max: round(sorted.at(-1)),
  };
}

/** Sends one chat and reads its event stream; returns the timings of the first token. */
async function timedChat(app, question) {
  const timing = { embedMs: 0, searchMs: 0 };
  return requestContext.run(timing, async () => {
    const startedAt = performance.now();
    const response = await app.fetch(
      new Request("http://bench.local/api/workspaces/bench/chat", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Accept: "text/event-stream",
          Authorization: `Bearer ${apiKey}`,
        },
        body: JSON.stringify({ message: question }),
      }),
    );
    if (response.status !== 200)
      throw new Error(`chat answered ${response.status}: ${await response.text()}`);
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    let firstTokenAt;
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      if (firstTokenAt === undefined && buffer.includes("event: token")) firstTokenAt = performance.now();
      if (buffer.includes("event: error")) throw new Error(`chat failed: ${buffer}`);
    }
    if (
      firstTokenAt === undefined ||
      timing.chatSentAt === undefined ||
      timing.chatFirstChunkAt === undefined
    ) {
      throw new Error(`no token streamed: ${buffer.slice(0, 500)}`);
    }
    const totalMs = firstTokenAt - startedAt;
    const modelMs = timing.chatFirstChunkAt - timing.chatSentAt;
    return {
      totalMs,
      modelMs,
      overheadMs: totalMs - modelMs,
      embedMs: timing.embedMs,
      searchMs: timing.searchMs,
    };
  });
}

async function runSize(size) {
  const server = await createServer(
    values["data-dir"] ? path.resolve(values["data-dir"], `chunks-${size}`) : undefined,
  );
  // Time retrieval (kb.search, query embedding included) per request, to show what the rest of the chat adds.
  const search = server.deps.kb.search.bind(server.deps.kb);
  server.deps.kb.search = async (options) => {
    const startedAt = performance.now();
    try {
      return await search(options);
    } finally {
      const timing = requestContext.getStore();
      if (timing) timing.searchMs += performance.now() - startedAt;
    }
  };
  try {
    const random = createRandom(size);
    const sentence = createSentences(random);
    const populateStartedAt = performance.now();
    const existing = server.deps.kb.getWorkspace("bench")
      ? server.deps.kb.listDocuments("bench").filter((document) => document.status === "ready")
      : [];
    let stored = existing.reduce((sum, document) => sum + document.chunks, 0);
    let documentNumber = existing.length;
    // With a kept data dir, what is already stored counts; questions come from the same distribution either way.
    while (stored < size) {
      const paragraphs = Math.min(chunksPerDocument, size - stored);
      const outcome = await server.deps.kb.ingest({
        workspace: "bench",
        name: `synthetic-${documentNumber}.md`,
        bytes: new TextEncoder().encode(syntheticDocument(random, sentence, paragraphs)),
        chunkOptions: { chunkSize: 100, chunkOverlap: 0 },
      });
      stored += outcome.document.chunks;
      documentNumber += 1;
      process.stdout.write(`\r  ${size}: ${stored} chunks stored`);
    }
    await server.deps.kb.optimize("bench");
    const populateSeconds = (performance.now() - populateStartedAt) / 1000;
    process.stdout.write(`\r  ${size}: ${stored} chunks stored in ${populateSeconds.toFixed(0)} s\n`);

    // Questions as people type them: 4-7 words (8-14 Han characters in Chinese).
    const questions = Array.from({ length: 500 }, () => sentence(4 + Math.floor(random() * 4)));
    let questionIndex = 0;
    const nextQuestion = () => questions[questionIndex++ % questions.length];
    for (let warm = 0; warm < warmupCount; warm += 1) await timedChat(server.app, nextQuestion());

    const byConcurrency = {};
    for (const concurrency of concurrencies) {
      const samples = [];
      let remaining = requestCount;
      const worker = async () => {
        while (remaining > 0) {
          remaining -= 1;
          samples.push(await timedChat(server.app, nextQuestion()));
        }
      };
      // Other processes on the machine skew the figures; the load average is recorded with them.
      const loadAverageBefore = Math.round(os.loadavg()[0] * 10) / 10;
      const startedAt = performance.now();
      await Promise.all(Array.from({ length: concurrency }, worker));
      const seconds = (performance.now() - startedAt) / 1000;
      byConcurrency[concurrency] = {
        requests: samples.length,
        loadAverageBefore,
        chatsPerSecond: Math.round((samples.length / seconds) * 10) / 10,
        overheadMs: summarise(samples.map((sample) => sample.overheadMs)),
        totalToFirstTokenMs: summarise(samples.map((sample) => sample.totalMs)),
        modelToFirstChunkMs: summarise(samples.map((sample) => sample.modelMs)),
        embedMs: summarise(samples.map((sample) => sample.embedMs)),
        searchMs: summarise(samples.map((sample) => sample.searchMs)),
        overheadWithoutSearchMs: summarise(samples.map((sample) => sample.overheadMs - sample.searchMs)),
      };
      const row = byConcurrency[concurrency];
      console.log(
        `  ${size} chunks, ${concurrency} concurrent: overhead p50 ${row.overheadMs.p50} ms, p95 ${row.overheadMs.p95} ms ` +
          `(first token p95 ${row.totalToFirstTokenMs.p95} ms, of which model ${row.modelToFirstChunkMs.p95} ms; ` +
          `retrieval p50/p95 ${row.searchMs.p50}/${row.searchMs.p95} ms incl. query embedding p95 ${row.embedMs.p95} ms; ` +
          `the rest p50/p95 ${row.overheadWithoutSearchMs.p50}/${row.overheadWithoutSearchMs.p95} ms)`,
      );
    }
    return {
      chunks: stored,
      documents: documentNumber,
      populateSeconds: Math.round(populateSeconds),
      byConcurrency,
    };
  } finally {
    await server.close();
  }
}

const machine = {
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model ?? "unknown",
  memoryGiB: Math.round(os.totalmem() / 2 ** 30),
  node: process.version,
  platform: `${os.platform()} ${os.arch()}`,
};
await mkdir(values["results-dir"], { recursive: true });
for (const size of sizes) {
  console.log(`Chat overhead at ${size} chunks`);
  const result = await runSize(size);
  const file = path.join(values["results-dir"], `chat-${size}.json`);
  await writeFile(
    file,
    `${JSON.stringify(
      {
        benchmark: "chat overhead: request to first token sent, minus the model's own time to first chunk",
        date: new Date().toISOString(),
        machine,
        settings: {
          requests: requestCount,
          warmup: warmupCount,
          topK: 6,
          searchMode: "hybrid",
          embeddingDimension: 1024,
        },
        targetMs: { p95OverheadAt100kOneChat: 50 },
        ...result,
      },
      null,
      2,
    )}\n`,
  );
  console.log(`  wrote ${path.relative(process.cwd(), file)}`);
}
