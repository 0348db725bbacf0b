import { type ChildProcess, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Ollama } from "ollama";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { lexicalEmbedding } from "./lexical-embedding.js";
import { type StandInOllama, startStandInOllama } from "./server.js";

let standIn: StandInOllama;
let client: Ollama;

beforeEach(async () => {
  standIn = await startStandInOllama();
  client = new Ollama({ host: standIn.url });
});

afterEach(async () => {
  await standIn.close();
});

function cosine(left: number[], right: number[]): number {
  return left.reduce((sum, value, index) => sum + value * right[index]!, 0);
}

const chinesePrompt = [
  "<passages>",
  '<passage index="1" document="jvm.md">',
  "垃圾收集器关注的是堆和方法区的内存。",
  "</passage>",
  '<passage index="2" document="gc.md">',
  "引用计数法很难解决循环引用的问题。",
  "</passage>",
  "</passages>",
  "",
  "Question: 垃圾收集器关注哪些内存区域？",
].join("\n");

describe("stand-in Ollama through the official client", () => {
  test("answers version, tags and show like Ollama", async () => {
    expect((await client.version()).version).toMatch(/^\d+\.\d+\.\d+$/);
    const { models } = await client.list();
    expect(models.map((model) => model.name)).toEqual(["bge-m3:latest", "qwen2.5:7b"]);
    expect(models[0]!.details.family).toBe("bert");

    const chatModel = await client.show({ model: "qwen2.5:7b" });
    const info = chatModel.model_info as unknown as Record<string, unknown>;
    expect(info["qwen2.context_length"]).toBe(32768);
    expect(info["general.architecture"]).toBe("qwen2");
    expect(chatModel.capabilities).toContain("completion");

    const embeddingModel = await client.show({ model: "bge-m3" });
    expect((embeddingModel.model_info as unknown as Record<string, unknown>)["bert.embedding_length"]).toBe(
      1024,
    );
    expect(embeddingModel.capabilities).toEqual(["embedding"]);
  });

  test("answers 404 with Ollama's message for an unknown model", async () => {
    await expect(client.show({ model: "missing-model" })).rejects.toMatchObject({
      status_code: 404,
      message: "model 'missing-model' not found",
    });
    await expect(client.embed({ model: "missing-model", input: "x" })).rejects.toMatchObject({
      status_code: 404,
    });
    await expect(client.chat({ model: "missing-model", messages: [] })).rejects.toMatchObject({
      status_code: 404,
    });
  });

  test("embeds deterministically, with texts that share terms close together", async () => {
    const { embeddings, model } = await client.embed({
      model: "bge-m3",
      input: [
        "Redis 事务的隔离性",
        "Redis 事务如何保证隔离性",
        "JVM 垃圾收集算法",
        "Redis transactions are isolated",
      ],
    });
    expect(model).toBe("bge-m3:latest");
    expect(embeddings).toHaveLength(4);
    for (const vector of embeddings) {
      expect(vector).toHaveLength(1024);
      expect(cosine(vector, vector)).toBeCloseTo(1, 6);
    }
    expect(cosine(embeddings[0]!, embeddings[1]!)).toBeGreaterThan(cosine(embeddings[0]!, embeddings[2]!));
    expect(cosine(embeddings[3]!, embeddings[0]!)).toBeGreaterThan(cosine(embeddings[3]!, embeddings[2]!));
    const again = await client.embed({ model: "bge-m3", input: "Redis 事务的隔离性" });
    expect(again.embeddings[0]).toEqual(embeddings[0]);
  });

  test("honours embeddingDimension, also when changed later", async () => {
    standIn.setOptions({ embeddingDimension: 8 });
    const { embeddings } = await client.embed({ model: "bge-m3", input: "short" });
    expect(embeddings[0]).toEqual(lexicalEmbedding("short", 8));
    const shown = await client.show({ model: "bge-m3" });
    expect((shown.model_info as unknown as Record<string, unknown>)["bert.embedding_length"]).toBe(8);
  });

  test("streams a Chinese chat reply that cites the passages in the prompt", async () => {
    const stream = await client.chat({
      model: "qwen2.5:7b",
      stream: true,
      messages: [
        { role: "system", content: "Answer from the passages and cite them as [n]." },
        { role: "user", content: chinesePrompt },
      ],
    });
    const parts: Array<{ content: string; done: boolean; evalCount?: number; promptEvalCount?: number }> = [];
    for await (const part of stream) {
      parts.push({
        content: part.message.content,
        done: part.done,
        evalCount: part.eval_count,
        promptEvalCount: part.prompt_eval_count,
      });
    }
    expect(parts.length).toBeGreaterThan(5);
    const last = parts.at(-1)!;
    expect(last.done).toBe(true);
    expect(parts.slice(0, -1).every((part) => !part.done)).toBe(true);
    expect(last.evalCount).toBe(parts.length - 1);
    expect(last.promptEvalCount).toBeGreaterThan(20);
    const reply = parts.map((part) => part.content).join("");
    expect(reply).toContain("垃圾收集器关注哪些内存区域");
    expect(reply).toContain("[1]");
    expect(reply).toContain("[2]");
    expect(reply).not.toContain("[3]");
    expect(reply).toMatch(/根据资料/);
  });

  test("answers in English without passages, and without streaming when asked", async () => {
    const response = await client.chat({
      model: "qwen2.5:7b",
      stream: false,
      messages: [{ role: "user", content: "Question: How does Redis persist data?" }],
    });
    expect(response.done).toBe(true);
    expect(response.message.role).toBe("assistant");
    expect(response.message.content).toBe(
      'I could not find anything about "How does Redis persist data?" in the provided passages.',
    );
  });

  test("returns the follow-up question for a query-rewriting prompt", async () => {
    const response = await client.chat({
      model: "qwen2.5:7b",
      stream: false,
      messages: [
        { role: "system", content: "You rewrite a follow-up question into a standalone search query." },
        {
          role: "user",
          content:
            "Conversation:\nUser: 什么是 AOF？\n\nFollow-up question: 它怎么配置？\n\nStandalone query:",
        },
      ],
    });
    expect(response.message.content).toBe("它怎么配置？");
  });

  test("streams /api/generate with the prompt's passages", async () => {
    const stream = await client.generate({
      model: "qwen2.5:7b",
      stream: true,
      prompt:
        "[1] Redis keeps data in memory.\n[2] AOF logs every write.\n\nQuestion: Where does Redis keep data?",
    });
    let text = "";
    let done = false;
    for await (const part of stream) {
      text += part.response;
      done = part.done;
    }
    expect(done).toBe(true);
    expect(text).toBe(
      'Regarding "Where does Redis keep data?", the passages say: Redis keeps data in memory. [1]. Sources: [1][2]',
    );
  });

  test("refuses chat with an embedding-only model", async () => {
    await expect(
      client.chat({ model: "bge-m3", messages: [{ role: "user", content: "hi" }] }),
    ).rejects.toMatchObject({ status_code: 400 });
  });

  test("streams pull progress, then lists the pulled model", async () => {
    const stream = await client.pull({ model: "nomic-embed-text", stream: true });
    const statuses: string[] = [];
    const completed: number[] = [];
    for await (const progress of stream) {
      statuses.push(progress.status);
      if (progress.total) {
        expect(progress.completed).toBeLessThanOrEqual(progress.total);
        completed.push(progress.completed);
      }
    }
    expect(statuses[0]).toBe("pulling manifest");
    expect(statuses.slice(-3)).toEqual(["verifying sha256 digest", "writing manifest", "success"]);
    expect(
      statuses.filter((status) => status.startsWith("pulling ") && status !== "pulling manifest").length,
    ).toBeGreaterThan(4);
    expect(completed.slice(0, 5)).toEqual([...completed.slice(0, 5)].sort((left, right) => left - right));
    expect((standIn.requests.at(-1)!.body as { name: string }).name).toBe("nomic-embed-text");

    const { models } = await client.list();
    expect(models.map((model) => model.name)).toContain("nomic-embed-text:latest");
    const { embeddings } = await client.embed({ model: "nomic-embed-text", input: "now available" });
    expect(embeddings).toHaveLength(1);
  });

  test("pulls without streaming", async () => {
    expect(await client.pull({ model: "llama3.2" })).toEqual({ status: "success" });
    expect((await client.list()).models.map((model) => model.name)).toContain("llama3.2:latest");
  });

  test("stops streaming when the client aborts, and logs the abort", async () => {
    standIn.setOptions({ tokenDelayMs: 20 });
    const stream = await client.chat({
      model: "qwen2.5:7b",
      stream: true,
      messages: [{ role: "user", content: chinesePrompt }],
    });
    let received = 0;
    await expect(
      (async () => {
        for await (const _part of stream) {
          received++;
          if (received === 3) stream.abort();
        }
      })(),
    ).rejects.toThrow(/abort/i);
    expect(received).toBe(3);
    const chat = standIn.requests.find((request) => request.path === "/api/chat")!;
    await vi.waitFor(() => expect(chat.aborted).toBe(true));
  });

  test("fails chat with an injected status, then recovers", async () => {
    standIn.setOptions({ failures: { chat: { status: 503, times: 1 } } });
    const request = {
      model: "qwen2.5:7b",
      stream: false as const,
      messages: [{ role: "user", content: "你好" }],
    };
    await expect(client.chat(request)).rejects.toMatchObject({ status_code: 503 });
    expect((await client.chat(request)).message.content).toBe("资料中没有找到关于「你好」的信息。");
  });

  test("drops connections on request, then recovers", async () => {
    standIn.setOptions({ failures: { dropConnection: { path: "/api/tags", times: 1 } } });
    await expect(client.list()).rejects.toThrow(/fetch failed/);
    expect((await client.list()).models).toHaveLength(2);
  });

  test("refuses everything while unavailable", async () => {
    standIn.setOptions({ unavailable: true });
    await expect(client.version()).rejects.toMatchObject({ status_code: 503 });
    standIn.setOptions({ unavailable: "close" });
    await expect(client.version()).rejects.toThrow(/fetch failed/);
    standIn.setOptions({ unavailable: false });
    expect((await client.version()).version).toBeTruthy();
  });

  test("logs every request with its body and status", async () => {
    await client.embed({ model: "bge-m3", input: ["a"] });
    await client.show({ model: "nope" }).catch(() => undefined);
    expect(standIn.requests).toEqual([
      { method: "POST", path: "/api/embed", body: { model: "bge-m3", input: ["a"] }, status: 200 },
      { method: "POST", path: "/api/show", body: { model: "nope" }, status: 404 },
    ]);
  });
});

const builtMain = fileURLToPath(new URL("../dist/main.js", import.meta.url));

describe.skipIf(!existsSync(builtMain))("stand-in-ollama command (built)", () => {
  let child: ChildProcess | undefined;

  afterEach(() => {
    child?.kill("SIGTERM");
  });

  test("starts on the given port and prints its URL", async () => {
    child = spawn(process.execPath, [builtMain, "--port", "0"], { stdio: ["ignore", "pipe", "pipe"] });
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      child!.stdout!.on("data", (data: Buffer) => {
        output += data.toString();
        const match = /listening on (http:\/\/\S+)/.exec(output);
        if (match) resolve(match[1]!);
      });
      child!.once("exit", (code) => reject(new Error(`exited with ${code}: ${output}`)));
    });
    const response = await fetch(`${url}/api/tags`);
    expect(((await response.json()) as { models: unknown[] }).models).toHaveLength(2);
  });
});
