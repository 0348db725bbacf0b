import { type ChildProcess, execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
// Every request of these tests goes as the admin that ADMIN_EMAIL / ADMIN_PASSWORD create.
import { adminFetch as fetch, killAll, processExited, startServerProcess } from "./testing/server-process.js";
import { readEvents } from "./testing/test-server.js";

const run = promisify(execFile);
// The built CLI, as `npx zhiku` runs it.
const cliPath = fileURLToPath(new URL("../bin/zhiku.js", import.meta.url));

interface DocumentSummary {
  id: string;
  name: string;
  status: string;
  chunks: number;
}

interface Message {
  id: string;
  role: string;
  content: string;
}

function manual(topic: string, sections: number): string {
  return `# ${topic}\n\n${Array.from(
    { length: sections },
    (_, index) =>
      `## ${topic} step ${index}\n\nStep ${index} of the ${topic} procedure: isolate the ${topic}, check the seals, record readings ${index * 7} and ${index * 11}, then restore service.`,
  ).join("\n\n")}`;
}

async function api<T>(url: string, init?: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  if (!response.ok)
    throw new Error(`${init?.method ?? "GET"} ${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

const listDocuments = async (url: string) =>
  (await api<{ documents: DocumentSummary[] }>(`${url}/api/workspaces/plant/documents`)).documents;

const chunksOf = async (url: string, documentId: string) =>
  (await api<{ chunks: unknown[] }>(`${url}/api/workspaces/plant/documents/${documentId}/chunks`)).chunks;

async function threadsWithMessages(url: string): Promise<Map<string, Message[]>> {
  const { threads } = await api<{ threads: { id: string }[] }>(`${url}/api/workspaces/plant/threads`);
  const result = new Map<string, Message[]>();
  for (const thread of threads) {
    const { messages } = await api<{ messages: Message[] }>(`${url}/api/threads/${thread.id}`);
    result.set(thread.id, messages);
  }
  return result;
}

async function upload(url: string, topics: string[], sections: number): Promise<void> {
  const form = new FormData();
  for (const topic of topics) form.append("file", new File([manual(topic, sections)], `${topic}.md`));
  const response = await fetch(`${url}/api/workspaces/plant/documents`, { method: "POST", body: form });
  expect(response.status).toBe(202);
}

async function untilSettled(url: string): Promise<DocumentSummary[]> {
  for (let waited = 0; waited < 90_000; waited += 250) {
    const documents = await listDocuments(url);
    if (documents.every((document) => document.status === "ready" || document.status === "failed"))
      return documents;
    await sleep(250);
  }
  throw new Error("documents did not settle");
}

/** A streamed chat; resolves once its first token arrived, with a promise of the whole exchange. */
async function startChat(url: string, message: string, threadId?: string) {
  const response = await fetch(`${url}/api/workspaces/plant/chat`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify({ message, ...(threadId ? { threadId } : {}) }),
  });
  expect(response.status).toBe(200);
  let firstToken: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    firstToken = resolve;
  });
  const finished = readEvents(response, (event) => {
    if (event.event === "token") firstToken();
    return event.event === "done" || event.event === "error";
  });
  await Promise.race([started, finished]);
  return finished;
}

describe("backup under load", () => {
  let root: string;
  let standIn: StandInOllama;
  const children: ChildProcess[] = [];

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "zhiku-backup-load-"));
    standIn = await startStandInOllama({ embeddingDimension: 64 });
  });

  afterEach(async () => {
    await killAll(children);
    await standIn.close();
    await rm(root, { recursive: true, force: true });
  });

  it("restores a backup taken during uploads and chats: ready documents, chunks and threads match, the rest resumes", async () => {
    const liveDir = join(root, "live");
    const restoredDir = join(root, "restored");
    const archive = join(root, "snapshot.tar.gz");
    const live = await startServerProcess({ DATA_DIR: liveDir, OLLAMA_HOST: standIn.url });
    children.push(live.child);
    await api(`${live.url}/api/workspaces`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "Plant", slug: "plant" }),
    });

    // Before the load: documents that are ready and a finished thread.
    await upload(live.url, ["boilers", "pumps", "valves"], 6);
    await untilSettled(live.url);
    const answered = await api<{ threadId: string }>(`${live.url}/api/workspaces/plant/chat`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ message: "How are the boilers isolated?" }),
    });
    const readyBefore = await listDocuments(live.url);
    expect(readyBefore.map((document) => document.status)).toEqual(["ready", "ready", "ready"]);
    const threadsBefore = await threadsWithMessages(live.url);

    // The load: slow embeddings keep new uploads queued and processing, slow tokens keep chats streaming.
    standIn.setOptions({ latencyMs: 1_000, tokenDelayMs: 40 });
    // Enough of them that the server, four documents at a time per worker, is still busy when the backup runs.
    const uploads = Promise.all([
      upload(live.url, ["turbines", "cables", "filters", "motors", "gearboxes", "bearings"], 10),
      upload(live.url, ["chillers", "fans", "heaters", "compressors", "dampers", "sensors"], 10),
      upload(live.url, ["boards", "breakers", "relays", "meters", "drives", "pipes"], 10),
      upload(live.url, ["tanks", "nozzles", "hoses", "gauges", "seals", "belts"], 10),
    ]);
    const chats = await Promise.all([
      startChat(live.url, "What readings are recorded for the pumps?"),
      startChat(live.url, "And for the valves?", answered.threadId),
      startChat(live.url, "Which seals are checked?"),
    ]);
    await uploads;
    const more = startChat(live.url, "How is service restored after the valves?");

    const backup = await run(process.execPath, [cliPath, "backup", archive], {
      env: { ...process.env, DATA_DIR: liveDir },
    });
    expect(backup.stdout).toMatch(/^Backed up 1 workspaces, \d+ documents/);

    // Let everything finish on the live server: its final state is what the snapshot is compared with.
    const chatEvents = [...(await Promise.all(chats)), await more];
    for (const events of chatEvents) expect(events.at(-1)?.event).toBe("done");
    standIn.setOptions({ latencyMs: 0, tokenDelayMs: 0 });
    const liveDocuments = await untilSettled(live.url);
    expect(liveDocuments).toHaveLength(27);
    expect(liveDocuments.every((document) => document.status === "ready")).toBe(true);
    const liveThreads = await threadsWithMessages(live.url);

    await run(process.execPath, [cliPath, "restore", archive], {
      env: { ...process.env, DATA_DIR: restoredDir },
    });
    // The snapshot caught ingestion in the middle: some documents were still waiting in it.
    const snapshot = new Database(join(restoredDir, "zhiku.db"), { readonly: true });
    let snapshotStatuses: { name: string; status: string }[];
    try {
      snapshotStatuses = snapshot
        .prepare("SELECT name, status FROM documents")
        .all() as typeof snapshotStatuses;
    } finally {
      snapshot.close();
    }
    expect(snapshotStatuses.some((document) => document.status !== "ready")).toBe(true);

    const restored = await startServerProcess({ DATA_DIR: restoredDir, OLLAMA_HOST: standIn.url });
    children.push(restored.child);
    const restoredDocuments = await untilSettled(restored.url);
    // Every document in the snapshot is ready now, including the ones caught mid-ingestion.
    expect(restoredDocuments.length).toBe(snapshotStatuses.length);
    expect(restoredDocuments.length).toBeGreaterThanOrEqual(readyBefore.length);
    const liveById = new Map(liveDocuments.map((document) => [document.id, document]));
    for (const document of restoredDocuments) {
      expect(document.status).toBe("ready");
      const original = liveById.get(document.id);
      expect(original?.name).toBe(document.name);
      expect(document.chunks).toBe(original?.chunks);
      // Same chunks, resumed or not: ids, order, text and offsets.
      expect(await chunksOf(restored.url, document.id)).toEqual(await chunksOf(live.url, document.id));
    }
    for (const document of readyBefore) {
      expect(restoredDocuments.map((restoredDocument) => restoredDocument.id)).toContain(document.id);
    }

    // Threads: the ones finished before the backup are there in full; every restored thread holds a prefix of the
    // live thread's messages (an exchange is stored in one transaction, so never half of one).
    const restoredThreads = await threadsWithMessages(restored.url);
    for (const [id, messages] of threadsBefore) {
      expect(restoredThreads.get(id)?.slice(0, messages.length)).toEqual(messages);
    }
    for (const [id, messages] of restoredThreads) {
      const liveMessages = liveThreads.get(id);
      expect(liveMessages, `thread ${id} exists on the live server`).toBeDefined();
      expect(messages.length % 2).toBe(0);
      expect(messages).toEqual(liveMessages?.slice(0, messages.length));
    }

    // Search works on the restored data.
    const { results } = await api<{ results: { documentName: string }[] }>(
      `${restored.url}/api/workspaces/plant/search`,
      {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "boilers seals", limit: 5 }),
      },
    );
    expect(results.length).toBeGreaterThan(0);

    for (const server of [live, restored]) {
      server.child.kill("SIGTERM");
      expect(await processExited(server.child)).toBe(0);
    }
  });
});
