import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// Every request of these tests goes as the admin that ADMIN_EMAIL / ADMIN_PASSWORD create.
import {
  adminFetch as fetch,
  killAll,
  processExited,
  serverMainPath,
  startServerProcess,
} from "./testing/server-process.js";
import { readEvents } from "./testing/test-server.js";

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
    await killAll(children);
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("refuses to start with a bad setting and names it", async () => {
    const child = spawn(process.execPath, [serverMainPath], {
      env: { ...process.env, PORT: "not-a-port", DATA_DIR: dataDir },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    expect(await processExited(child)).toBe(1);
    expect(stderr).toContain('PORT="not-a-port" is not valid');
  });

  it("resumes after being killed mid-ingestion: every document ready exactly once, no doubled chunks", async () => {
    // Slow embedding so the kill lands while documents are still queued or processing.
    standIn.setOptions({ latencyMs: 150 });
    const environment = { DATA_DIR: dataDir, OLLAMA_HOST: standIn.url };
    const first = await startServerProcess(environment);
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
    await processExited(first.child);

    standIn.setOptions({ latencyMs: 0 });
    const second = await startServerProcess(environment);
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
    expect(await processExited(second.child)).toBe(0);
  });

  it("on SIGTERM ends event streams and a streaming chat, keeps the partial answer, exits 0 and resumes queued jobs on restart", async () => {
    // Slow embeddings keep the uploads queued; slow tokens keep the chat streaming when the signal comes.
    standIn.setOptions({ latencyMs: 400, tokenDelayMs: 150 });
    const environment = { DATA_DIR: dataDir, OLLAMA_HOST: standIn.url };
    const first = await startServerProcess(environment);
    children.push(first.child);
    const created = await fetch(`${first.url}/api/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Crash", slug: "crash" }),
    });
    expect(created.status).toBe(201);
    const topics = ["boilers", "pumps", "valves"];
    const form = new FormData();
    for (const topic of topics) {
      form.append("file", new File([`# ${topic}\n\n${paragraphs(topic, 8)}`], `${topic}.md`));
    }
    const uploaded = await fetch(`${first.url}/api/workspaces/crash/documents`, {
      method: "POST",
      body: form,
    });
    expect(uploaded.status).toBe(202);

    const progress = await fetch(`${first.url}/api/workspaces/crash/events`);
    const chat = await fetch(`${first.url}/api/workspaces/crash/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "text/event-stream" },
      body: JSON.stringify({ message: "Explain the maintenance order for the boilers in detail" }),
    });
    expect(chat.status).toBe(200);
    let signalled = false;
    // Reads the chat to its end; the first token triggers SIGTERM. A reset connection would throw here.
    const chatEvents = await readEvents(chat, (event) => {
      if (event.event === "token" && !signalled) {
        signalled = true;
        first.child.kill("SIGTERM");
      }
      return false;
    });
    const progressEvents = await readEvents(progress, () => false);
    expect(await processExited(first.child)).toBe(0);
    expect(signalled).toBe(true);
    // The answer was cut short: no `done`, no `error`, just the end of the stream.
    expect(chatEvents.map((event) => event.event)).not.toContain("done");
    expect(chatEvents.map((event) => event.event)).not.toContain("error");
    const streamed = chatEvents
      .filter((event) => event.event === "token")
      .map((event) => (JSON.parse(event.data) as { text: string }).text)
      .join("");
    expect(streamed.length).toBeGreaterThan(0);
    expect(progressEvents.every((event) => event.event === "document")).toBe(true);
    // Some uploads were still waiting when the server stopped: the restart has jobs to resume.
    const lastStatus = new Map<string, string>();
    for (const event of progressEvents) {
      const data = JSON.parse(event.data) as { name: string; status: string };
      lastStatus.set(data.name, data.status);
    }
    expect(topics.some((topic) => lastStatus.get(`${topic}.md`) !== "ready")).toBe(true);
    const logLines = first
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { msg: string; signal?: string });
    expect(logLines.some((line) => line.msg === "Shutting down" && line.signal === "SIGTERM")).toBe(true);
    expect(logLines.at(-1)?.msg).toBe("Stopped");

    standIn.setOptions({ latencyMs: 0, tokenDelayMs: 0 });
    const second = await startServerProcess(environment);
    children.push(second.child);
    // The interrupted chat kept its question and the part of the answer said before the stop.
    const threadsResponse = await fetch(`${second.url}/api/workspaces/crash/threads`);
    const { threads } = (await threadsResponse.json()) as { threads: { id: string }[] };
    expect(threads).toHaveLength(1);
    const threadResponse = await fetch(`${second.url}/api/threads/${threads[0]!.id}`);
    const { messages } = (await threadResponse.json()) as { messages: { role: string; content: string }[] };
    expect(messages.map((message) => message.role)).toEqual(["user", "assistant"]);
    expect(messages[1]!.content.startsWith(streamed)).toBe(true);

    let documents: DocumentSummary[] = [];
    for (let waited = 0; waited < 60_000; waited += 250) {
      documents = await listDocuments(second.url);
      if (documents.every((document) => document.status === "ready" || document.status === "failed")) break;
      await sleep(250);
    }
    expect(documents.map((document) => [document.name, document.status]).sort()).toEqual(
      topics.map((topic) => [`${topic}.md`, "ready"]).sort(),
    );
    second.child.kill("SIGTERM");
    expect(await processExited(second.child)).toBe(0);
  });
});
