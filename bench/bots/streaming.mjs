#!/usr/bin/env node
/**
 * Streamed bot answers (issue 17, `bench/bots`): how soon someone asking a Slack bot sees the answer begin, and how
 * many edits it costs, at several model speeds, against waiting for the whole answer.
 *
 * How: the server is built as in the bot tests (temp DATA_DIR, the stand-in Ollama, real LanceDB and SQLite, the
 * real `@slack/web-api` client) with one Slack bot whose API base URL is a loopback recording server. A signed
 * `app_mention` is posted to the callback; the recording server timestamps each `chat.postMessage` and
 * `chat.update` it receives. The stand-in's token delay stands for the model's speed: its figures describe the
 * code path and the throttle, not a real model. Prints a table and writes `bench/results/bots-streaming.json`.
 *
 * Usage (after `npm run build`):
 *   node bench/bots/streaming.mjs [--token-delays 10,50,100] [--interval 1000] [--repeat 3]
 */
import { createHmac } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const { configureLanceEnvironment } = await import("@zhiku/ingest/lance-environment");
configureLanceEnvironment();

const scriptDirectory = path.dirname(fileURLToPath(import.meta.url));
const { values } = parseArgs({
  options: {
    "token-delays": { type: "string", default: "10,50,100" },
    interval: { type: "string", default: "1000" },
    repeat: { type: "string", default: "3" },
    out: { type: "string", default: path.resolve(scriptDirectory, "../results/bots-streaming.json") },
    help: { type: "boolean", default: false },
  },
});
if (values.help) {
  console.log("node bench/bots/streaming.mjs [--token-delays 10,50,100] [--interval 1000] [--repeat 3]");
  process.exit(0);
}
const tokenDelays = values["token-delays"].split(",").map(Number);
const interval = Number(values.interval);
const repeat = Number(values.repeat);

const { createBotFixture } = await import(
  path.resolve(scriptDirectory, "../../apps/server/dist/testing/bot-fixture.js")
);

const signingSecret = "bench-signing-secret-0000-0000";
const botToken = "xoxb-bench-0000000000-0000000000-benchbenchbench";
const times = [];
let sent = 0;
const fixture = await createBotFixture({
  platform: "slack",
  secrets: { botToken, signingSecret },
  environment: { BOT_EDIT_INTERVAL_MS: String(interval) },
  reply: (request) => {
    if (request.path === "/chat.postMessage") {
      sent += 1;
      times.push({ path: request.path, at: performance.now(), body: request.body });
      return { body: { ok: true, channel: "C1", ts: `1700000000.${String(sent).padStart(6, "0")}` } };
    }
    if (request.path === "/chat.update") {
      times.push({ path: request.path, at: performance.now(), body: request.body });
      return { body: { ok: true, channel: "C1", ts: "x" } };
    }
    return undefined;
  },
});

function signed(body) {
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = createHmac("sha256", signingSecret).update(`v0:${timestamp}:${body}`).digest("hex");
  return {
    "content-type": "application/json",
    "x-slack-request-timestamp": timestamp,
    "x-slack-signature": `v0=${signature}`,
  };
}

let eventNumber = 0;
/** One question: ms from the callback to the first message, the first streamed edit and the final edit. */
async function ask() {
  eventNumber += 1;
  times.length = 0;
  const body = JSON.stringify({
    type: "event_callback",
    event_id: `EvBench${eventNumber}`,
    event: {
      type: "app_mention",
      user: "U1",
      text: "<@U0BOT> How long is the data directory backed up and kept?",
      ts: `1700000000.${eventNumber}`,
      channel: "C1",
    },
  });
  const start = performance.now();
  const response = await fixture.server.app.request(fixture.callbackPath, {
    method: "POST",
    headers: signed(body),
    body,
  });
  const acknowledged = performance.now();
  if (response.status !== 200) throw new Error(`The callback answered ${response.status}`);
  await fixture.server.deps.bots.answerer.idle();
  const updates = times.filter((entry) => entry.path === "/chat.update");
  const placeholder = times.find((entry) => entry.path === "/chat.postMessage");
  const final = updates.at(-1);
  if (!placeholder || !final) throw new Error("No message or no edit was sent");
  const streamed = updates.slice(0, -1);
  return {
    acknowledgedMs: acknowledged - start,
    placeholderMs: placeholder.at - start,
    firstTextMs: (streamed[0] ?? final).at - start,
    finalMs: final.at - start,
    streamedEdits: streamed.length,
    finalLength: (new URLSearchParams(final.body).get("text") ?? "").length,
  };
}

const median = (numbers) => {
  const sorted = [...numbers].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

const rows = [];
try {
  await ask(); // warm-up: module loading, the first LanceDB search, the Slack client
  for (const tokenDelayMs of tokenDelays) {
    fixture.server.standIn.setOptions({ tokenDelayMs });
    const runs = [];
    for (let run = 0; run < repeat; run++) runs.push(await ask());
    const row = { tokenDelayMs, intervalMs: interval, runs };
    for (const key of ["acknowledgedMs", "placeholderMs", "firstTextMs", "finalMs", "streamedEdits"]) {
      row[key] = median(runs.map((item) => item[key]));
    }
    rows.push(row);
  }
} finally {
  await fixture.close();
}

console.log(
  `Slack bot, stand-in Ollama (token delay = the model's speed), BOT_EDIT_INTERVAL_MS=${interval}, median of ${repeat}`,
);
console.log(
  "token delay ms | callback ack ms | first message ms | first answer text ms | final ms | edits while streaming",
);
for (const row of rows) {
  console.log(
    [row.tokenDelayMs, row.acknowledgedMs, row.placeholderMs, row.firstTextMs, row.finalMs, row.streamedEdits]
      .map((value) => (Number.isInteger(value) ? String(value) : value.toFixed(0)))
      .join(" | "),
  );
}
await mkdir(path.dirname(values.out), { recursive: true });
await writeFile(
  values.out,
  `${JSON.stringify(
    {
      benchmark: "bots-streaming",
      note: "stand-in Ollama: the token delay stands for the model's speed; figures describe the code path and the throttle",
      machine: {
        cpus: os.cpus().length,
        model: os.cpus()[0]?.model,
        node: process.version,
        load: os.loadavg(),
      },
      at: new Date().toISOString(),
      rows,
    },
    null,
    2,
  )}\n`,
);
console.log(`written ${path.relative(process.cwd(), values.out)}`);
