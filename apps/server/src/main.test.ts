import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { type StandInOllama, startStandInOllama } from "@zhiku/ingest/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readEvents } from "./testing/test-server.js";

// The compiled entry, as `npm start` runs it (packages are built before tests).
const mainPath = fileURLToPath(new URL("../dist/main.js", import.meta.url));

interface Started {
  child: ChildProcess;
  url: string;
  output: () => string;
}

function startServer(environment: Record<string, string>): Promise<Started> {
  const child = spawn(process.execPath, [mainPath], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", LOG_LEVEL: "info", ...environment },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"url":"(http:\/\/[^"]+)"/.exec(output);
      if (match) resolve({ child, url: match[1]!, output: () => output });
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once("exit", (code) =>
      reject(new Error(`server exited with ${code} before listening:\n${output}`)),
    );
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}

interface DocumentSummary {
  id: string;
  name: string;
  status: string;
  chunks: number;
  error: string | null;
}

async function listDocuments(url: string): Promise<DocumentSummary[]> {
  const response = await fetch(`${url}/api/workspaces/crash/documents`);
  return ((await response.json()) as { documents: DocumentSummary[] }).documents;
}

function paragraphs(topic: string, count: number): string {
  return Array.from(
    { length: count },
    (_, index) =>
      `## ${topic} part ${index}\n\nThe ${topic} section ${index} explains maintenance step ${index} in detail, with notes on safety, tools and the order of work for ${topic}.`,
  ).join("\n\n");
}

describe("server process", () => {
  let dataDir: string;
  let standIn: StandInOllama;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-crash-"));
    standIn = await startStandInOllama({ embeddingDimension: 64 });
  });

  afterEach(async () => {
    for (const child of children.splice(0)) {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited(child);
      }
    }
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses to start with a bad setting and names it", async () => {
    const child = spawn(process.execPath, [mainPath], {
      env: { ...process.env, PORT: "not-a-port", DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    expect(await exited(child)).toBe(1);
    expect(stderr).toContain('PORT="not-a-port" is not valid');
  });

  it("resumes after being killed mid-ingestion: every document ready exactly once, no doubled chunks", async () => {
    // Slow embedding so the kill lands while documents are still queued or processing.
    standIn.setOptions({ latencyMs: 150 });
    const environment = { DATA_DIR: dataDir, OLLAMA_HOST: standIn.url };
    const first = await startServer(environment);
    children.push(first.child);
    const created = await fetch(`${first.url}/api/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Crash", slug: "crash" }),
    });
    expect(created.status).toBe(201);
    const topics = ["boilers", "pumps", "valves", "turbines", "cables", "filters"];
    const form = new FormData();
    for (const topic of topics) {
      form.append(
        "file",
        new File([`# ${topic}\n\n${paragraphs(topic, 12)}`], `${topic}.md`, { type: "text/markdown" }),
      );
    }
    const uploaded = await fetch(`${first.url}/api/workspaces/crash/documents`, {
      method: "POST",
      body: form,
    });
    expect(uploaded.status).toBe(202);

    // Kill once a document is being processed (a job is running) and not everything is done.
    const events = await fetch(`${first.url}/api/workspaces/crash/events`);
    await readEvents(events, (event) => {
      const data = JSON.parse(event.data) as { status: string; stage?: string };
      return data.status === "processing" && data.stage === "embedding";
    });
    first.child.kill("SIGKILL");
    await exited(first.child);

    standIn.setOptions({ latencyMs: 0 });
    const second = await startServer(environment);
    children.push(second.child);
    expect((await listDocuments(second.url)).some((document) => document.status !== "ready")).toBe(true);

    let documents: DocumentSummary[] = [];
    for (let waited = 0; waited < 90_000; waited += 250) {
      documents = await listDocuments(second.url);
      if (documents.every((document) => document.status === "ready" || document.status === "failed")) break;
      await sleep(250);
    }
    expect(documents.map((document) => [document.name, document.status, document.error]).sort()).toEqual(
      topics.map((topic) => [`${topic}.md`, "ready", null]).sort(),
    );
    for (const document of documents) {
      const response = await fetch(`${second.url}/api/workspaces/crash/documents/${document.id}/chunks`);
      const { chunks } = (await response.json()) as { chunks: { chunkId: string; index: number }[] };
      expect(chunks.length).toBe(document.chunks);
      expect(new Set(chunks.map((chunk) => chunk.chunkId)).size).toBe(chunks.length);
      expect(chunks.map((chunk) => chunk.index).sort((left, right) => left - right)).toEqual(
        chunks.map((_, index) => index),
      );
    }
    // The vector index holds each chunk once: the nearest hits for a topic are distinct chunks.
    const search = await fetch(`${second.url}/api/workspaces/crash/search`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "boilers", mode: "vector", limit: 100 }),
    });
    const { results } = (await search.json()) as { results: { documentName: string; chunkId: string }[] };
    expect(results[0]?.documentName).toBe("boilers.md");
    expect(new Set(results.map((result) => result.chunkId)).size).toBe(results.length);
    expect(results.length).toBe(documents.reduce((sum, document) => sum + document.chunks, 0));

    // Graceful stop: SIGTERM ends open event streams and exits 0.
    const stream = await fetch(`${second.url}/api/workspaces/crash/events`);
    second.child.kill("SIGTERM");
    const streamed = await readEvents(stream, () => false);
    expect(Array.isArray(streamed)).toBe(true);
    expect(await exited(second.child)).toBe(0);
  });
});
