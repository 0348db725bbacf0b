import { lexicalEmbedding, type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, test, vi } from "vitest";
import { isZhikuError, ZhikuError } from "../errors.js";
import { checkOllama, createOllamaEmbedder } from "./index.js";

let standIn: StandInOllama;

beforeEach(async () => {
  standIn = await startStandInOllama({ embeddingDimension: 64 });
});

afterEach(async () => {
  await standIn.close();
});

function embedRequests() {
  return standIn.requests.filter((request) => request.path === "/api/embed");
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

/** A URL where nothing listens: a stand-in's, after closing it. */
async function deadUrl(): Promise<string> {
  const closed = await startStandInOllama();
  await closed.close();
  return closed.url;
}

describe("createOllamaEmbedder against the stand-in Ollama", () => {
  test("embeds in batches and returns vectors in input order, reporting progress", async () => {
    const texts = Array.from({ length: 70 }, (_, index) =>
      index % 2 ? `文档 ${index} 讲的是向量检索` : `document ${index}`,
    );
    const embedder = createOllamaEmbedder({
      host: standIn.url,
      model: "bge-m3",
      batchSize: 8,
      concurrency: 3,
    });
    const progress: number[] = [];
    const vectors = await embedder.embed(texts, { onProgress: (done) => progress.push(done) });

    expect(vectors).toHaveLength(70);
    vectors.forEach((vector, index) => {
      expect(vector).toEqual(lexicalEmbedding(texts[index]!, 64));
    });
    const requests = embedRequests();
    expect(requests).toHaveLength(9);
    const sentInputs = requests.map((request) => (request.body as { input: string[] }).input);
    expect(sentInputs.every((input) => input.length <= 8)).toBe(true);
    expect(sentInputs.flat().sort()).toEqual([...texts].sort());
    expect((requests[0]!.body as { model: string }).model).toBe("bge-m3");
    expect(progress).toHaveLength(9);
    expect(progress.at(-1)).toBe(70);
    expect([...progress].sort((left, right) => left - right)).toEqual(progress);
  });

  test("keeps at most `concurrency` requests in flight", async () => {
    standIn.setOptions({ latencyMs: 40 });
    let inFlight = 0;
    let mostInFlight = 0;
    const countingFetch: typeof fetch = async (input, init) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      try {
        return await fetch(input, init);
      } finally {
        inFlight--;
      }
    };
    const embedder = createOllamaEmbedder({
      host: standIn.url,
      model: "bge-m3",
      batchSize: 2,
      concurrency: 2,
      fetch: countingFetch,
    });
    await embedder.embed(Array.from({ length: 12 }, (_, index) => `text ${index}`));
    expect(embedRequests()).toHaveLength(6);
    expect(mostInFlight).toBe(2);
  });

  test("returns nothing for no texts without calling Ollama", async () => {
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "bge-m3" });
    expect(await embedder.embed([])).toEqual([]);
    expect(standIn.requests).toHaveLength(0);
  });

  test("retries after injected 500s and succeeds", async () => {
    standIn.setOptions({ failures: { embed: { status: 500, times: 2 } } });
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "bge-m3", retryDelayMs: 5 });
    const vectors = await embedder.embed(["hello", "world"]);
    expect(vectors).toEqual([lexicalEmbedding("hello", 64), lexicalEmbedding("world", 64)]);
    expect(embedRequests().map((request) => request.status)).toEqual([500, 500, 200]);
  });

  test("retries after dropped connections and succeeds", async () => {
    standIn.setOptions({ failures: { dropConnection: { path: "/api/embed", times: 3 } } });
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "bge-m3", retryDelayMs: 5 });
    const vectors = await embedder.embed(["向量"]);
    expect(vectors).toEqual([lexicalEmbedding("向量", 64)]);
    expect(embedRequests().map((request) => request.status)).toEqual([undefined, undefined, undefined, 200]);
  });

  test("gives up with unavailable:ollama when 5xx outlasts the retries", async () => {
    standIn.setOptions({ failures: { embed: { status: 503, times: 100 } } });
    const embedder = createOllamaEmbedder({
      host: standIn.url,
      model: "bge-m3",
      retries: 2,
      retryDelayMs: 5,
    });
    const error = await rejection(embedder.embed(["text"]));
    expect(isZhikuError(error, "unavailable:ollama")).toBe(true);
    expect((error as Error).message).toContain(standIn.url);
    expect((error as Error).message).toContain("503");
    expect(embedRequests()).toHaveLength(3);
  });

  test("never retries a 4xx", async () => {
    standIn.setOptions({ failures: { embed: { status: 400, times: 100 } } });
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "bge-m3", retryDelayMs: 5 });
    const error = await rejection(embedder.embed(["text"]));
    expect(isZhikuError(error, "invalid:input")).toBe(true);
    expect(embedRequests()).toHaveLength(1);
  });

  test("fails at once with not_found:model and the pull command when the model is missing", async () => {
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "nomic-embed-text", retryDelayMs: 5 });
    const error = await rejection(embedder.embed(["a", "b", "c"]));
    expect(error).toBeInstanceOf(ZhikuError);
    expect((error as ZhikuError).code).toBe("not_found:model");
    expect((error as Error).message).toBe(
      `Embedding model "nomic-embed-text" is not available in Ollama at ${standIn.url}: run: ollama pull nomic-embed-text`,
    );
    expect(embedRequests()).toHaveLength(1);

    const dimensionError = await rejection(embedder.dimension());
    expect(isZhikuError(dimensionError, "not_found:model")).toBe(true);
  });

  test("fails with unavailable:ollama when nothing listens at the host", async () => {
    const url = await deadUrl();
    const embedder = createOllamaEmbedder({ host: url, model: "bge-m3", retries: 2, retryDelayMs: 5 });
    const error = await rejection(embedder.embed(["text"]));
    expect(isZhikuError(error, "unavailable:ollama")).toBe(true);
    expect((error as Error).message).toMatch(new RegExp(`^Cannot reach Ollama at ${url}: `));
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  test("reads the dimension from /api/show once and caches it", async () => {
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "bge-m3" });
    expect(await embedder.dimension()).toBe(64);
    expect(await embedder.dimension()).toBe(64);
    expect(standIn.requests.filter((request) => request.path === "/api/show")).toHaveLength(1);
    expect(embedRequests()).toHaveLength(0);
  });

  test("falls back to embedding a probe text when /api/show reports no embedding length", async () => {
    // An older Ollama without model_info: the request still reaches the stand-in, the answer loses the field.
    const withoutModelInfo: typeof fetch = async (input, init) => {
      const response = await fetch(input, init);
      if (!String(input).endsWith("/api/show")) return response;
      const shown = (await response.json()) as Record<string, unknown>;
      delete shown.model_info;
      return Response.json(shown);
    };
    const embedder = createOllamaEmbedder({ host: standIn.url, model: "bge-m3", fetch: withoutModelInfo });
    expect(await embedder.dimension()).toBe(64);
    expect(standIn.requests.map((request) => request.path)).toEqual(["/api/show", "/api/embed"]);
  });

  test("stops when the signal aborts", async () => {
    standIn.setOptions({ latencyMs: 300 });
    const embedder = createOllamaEmbedder({
      host: standIn.url,
      model: "bge-m3",
      batchSize: 1,
      concurrency: 1,
    });
    const controller = new AbortController();
    const pending = embedder.embed(["a", "b", "c", "d"], { signal: controller.signal });
    // Abort while the first batch is at the server (it holds every request for 300 ms).
    await vi.waitFor(() => expect(embedRequests()).toHaveLength(1));
    controller.abort(new Error("cancelled by test"));
    const error = await rejection(pending);
    expect((error as Error).message).toBe("cancelled by test");
    // The queued batches never reach Ollama, even once the first request's slot frees up.
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(embedRequests()).toHaveLength(1);

    const aborted = new AbortController();
    aborted.abort(new Error("already aborted"));
    await expect(embedder.embed(["x"], { signal: aborted.signal })).rejects.toThrow("already aborted");
  });

  test("rejects impossible options", () => {
    expect(() => createOllamaEmbedder({ host: standIn.url, model: "bge-m3", batchSize: 0 })).toThrow(
      /batchSize/,
    );
    expect(() => createOllamaEmbedder({ host: standIn.url, model: "bge-m3", concurrency: 1.5 })).toThrow(
      /concurrency/,
    );
  });
});

describe("checkOllama", () => {
  test("reports version and installed models", async () => {
    const status = await checkOllama({ host: standIn.url });
    expect(status.reachable).toBe(true);
    expect(status.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(status.models).toEqual(["bge-m3:latest", "qwen2.5:7b"]);
  });

  test("reports an unreachable Ollama without throwing", async () => {
    expect(await checkOllama({ host: await deadUrl() })).toEqual({ reachable: false, models: [] });
  });

  test("reports a failing Ollama as unreachable", async () => {
    standIn.setOptions({ unavailable: true });
    expect(await checkOllama({ host: standIn.url })).toEqual({ reachable: false, models: [] });
  });
});
