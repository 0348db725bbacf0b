import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { lexicalEmbedding } from "./lexical-embedding.js";
import { describeModel, fakeDigest, type StandInModel, withTag } from "./models.js";
import { buildReply, replyPieces, type StandInMessage } from "./reply.js";
import { estimateTokens } from "./token-estimate.js";

/** An injected HTTP failure: the next `times` requests get `status`, then the endpoint works again. */
export interface StandInStatusFailure {
  /** HTTP status to answer with, e.g. 500 or 503. */
  status: number;
  /** How many requests fail before the endpoint recovers. */
  times: number;
}

/** Failures to inject; counters go down as they fire. */
export interface StandInFailures {
  /** Fail `/api/embed` (and `/api/embeddings`). */
  embed?: StandInStatusFailure;
  /** Fail `/api/chat` and `/api/generate`. */
  chat?: StandInStatusFailure;
  /** Close the connection without answering the next `times` requests to `path` (e.g. `/api/embed`). */
  dropConnection?: { path: string; times: number };
}

/** Options of {@link startStandInOllama}; all but `port` and `host` can be changed later with `setOptions`. */
export interface StandInOllamaOptions {
  /** Port to listen on; 0 (the default) picks a free one. */
  port?: number;
  /** Interface to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Installed models. Default `["bge-m3", "qwen2.5:7b"]`; names without a tag get `:latest`. */
  models?: string[];
  /** Length of the vectors `/api/embed` returns and `/api/show` reports. Default 1024. */
  embeddingDimension?: number;
  /** Delay before answering any request, in milliseconds. Default 0. */
  latencyMs?: number;
  /** Delay between streamed chunks (chat tokens, pull progress), in milliseconds. Default 0. */
  tokenDelayMs?: number;
  /** Failures to inject. */
  failures?: StandInFailures;
  /** Refuse everything: `true` answers 503, `"close"` closes each connection without answering. */
  unavailable?: boolean | "close";
}

/** One request the stand-in received. */
export interface StandInRequest {
  /** HTTP method. */
  method: string;
  /** Path without the query string, e.g. `/api/embed`. */
  path: string;
  /** Parsed JSON body; undefined for bodiless requests or when it was not JSON. */
  body: unknown;
  /** Status sent, once the response has started; undefined for dropped connections. */
  status?: number;
  /** True when the client went away before a streamed response finished. */
  aborted?: boolean;
}

/** A running stand-in Ollama. */
export interface StandInOllama {
  /** Base URL, e.g. `http://127.0.0.1:40123`, to use as `OLLAMA_HOST`. */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Every request received, in order, for tests to inspect. */
  requests: StandInRequest[];
  /** Changes options for later requests (models, dimension, delays, failures, availability). */
  setOptions(options: Omit<StandInOllamaOptions, "port" | "host">): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The version the stand-in reports. */
export const STAND_IN_OLLAMA_VERSION = "0.12.6";

interface State {
  models: Map<string, StandInModel>;
  embeddingDimension: number;
  latencyMs: number;
  tokenDelayMs: number;
  failures: StandInFailures;
  unavailable: boolean | "close";
}

class HttpError extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

function applyOptions(state: State, options: Omit<StandInOllamaOptions, "port" | "host">): void {
  if (options.models)
    state.models = new Map(options.models.map((name) => [withTag(name), describeModel(name)]));
  if (options.embeddingDimension !== undefined) state.embeddingDimension = options.embeddingDimension;
  if (options.latencyMs !== undefined) state.latencyMs = options.latencyMs;
  if (options.tokenDelayMs !== undefined) state.tokenDelayMs = options.tokenDelayMs;
  if (options.failures !== undefined) state.failures = structuredClone(options.failures);
  if (options.unavailable !== undefined) state.unavailable = options.unavailable;
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  for await (const part of request) parts.push(part as Buffer);
  const text = Buffer.concat(parts).toString("utf8");
  if (text.trim() === "") return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, "invalid JSON in request body");
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { "Content-Type": "application/json; charset=utf-8" });
  response.end(JSON.stringify(body));
}

/** Takes one failure from a counter, if any is left. */
function takeFailure(failure: { times: number } | undefined): boolean {
  if (!failure || failure.times <= 0) return false;
  failure.times--;
  return true;
}

function field(body: unknown, name: string): unknown {
  return typeof body === "object" && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

/** The model a request names (`model`, or `name` as older clients and `pull` send it), which must be installed. */
function requireModel(state: State, body: unknown): StandInModel {
  const name = field(body, "model") ?? field(body, "name");
  if (typeof name !== "string" || name === "") throw new HttpError(400, "model is required");
  const model = state.models.get(withTag(name));
  if (!model) throw new HttpError(404, `model '${name}' not found`);
  return model;
}

function modelDetails(model: StandInModel) {
  return {
    parent_model: "",
    format: "gguf",
    family: model.family,
    families: [model.family],
    parameter_size: model.parameterSize,
    quantization_level: model.embeddingOnly ? "F16" : "Q4_K_M",
  };
}

const MODIFIED_AT = "2025-01-01T00:00:00.000000000Z";

function showResponse(state: State, model: StandInModel) {
  const family = model.family;
  return {
    license: "stand-in model for tests",
    modelfile: `# Modelfile generated by the stand-in Ollama\nFROM ${model.name}\n`,
    parameters: model.embeddingOnly ? "" : 'stop "<|im_end|>"',
    template: model.embeddingOnly ? "{{ .Prompt }}" : "{{ .System }}\n{{ .Prompt }}",
    details: modelDetails(model),
    model_info: {
      "general.architecture": family,
      "general.basename": model.name.split(":")[0],
      "general.file_type": 1,
      "general.parameter_count": model.embeddingOnly ? 566_703_104 : 7_615_616_512,
      "general.quantization_version": 2,
      [`${family}.attention.head_count`]: 16,
      [`${family}.block_count`]: 24,
      [`${family}.context_length`]: model.contextLength,
      [`${family}.embedding_length`]: state.embeddingDimension,
      [`${family}.feed_forward_length`]: 4096,
    },
    capabilities: model.embeddingOnly ? ["embedding"] : ["completion", "tools"],
    modified_at: MODIFIED_AT,
  };
}

function now(): string {
  return new Date().toISOString();
}

/** Writes one NDJSON line, waiting for the socket to drain when it is full. */
async function writeLine(response: ServerResponse, value: unknown): Promise<void> {
  if (!response.write(`${JSON.stringify(value)}\n`)) {
    await new Promise<void>((resolve) => {
      const done = () => {
        response.off("drain", done);
        response.off("close", done);
        resolve();
      };
      response.on("drain", done);
      response.on("close", done);
    });
  }
}

/**
 * Starts a stand-in Ollama HTTP server for tests and local runs: `/api/version`, `/api/tags`, `/api/ps`,
 * `/api/show`, `/api/embed` (deterministic lexical embeddings), `/api/chat` and `/api/generate` (streamed NDJSON
 * or one JSON object; a deterministic reply that cites the numbered passages in the prompt), `/api/pull` (streamed
 * progress; the model is installed afterwards). Response shapes follow the real Ollama API. Latency, token delay
 * and failures (HTTP statuses, dropped connections, total unavailability) can be injected.
 */
export async function startStandInOllama(options: StandInOllamaOptions = {}): Promise<StandInOllama> {
  const state: State = {
    models: new Map(),
    embeddingDimension: 1024,
    latencyMs: 0,
    tokenDelayMs: 0,
    failures: {},
    unavailable: false,
  };
  applyOptions(state, { models: ["bge-m3", "qwen2.5:7b"], ...options });
  const requests: StandInRequest[] = [];

  async function streamOrSend(
    response: ServerResponse,
    entry: StandInRequest,
    stream: boolean,
    pieces: unknown[],
    final: unknown,
    beforeFinal?: () => void,
  ): Promise<void> {
    if (!stream) {
      beforeFinal?.();
      sendJson(response, 200, final);
      return;
    }
    response.writeHead(200, { "Content-Type": "application/x-ndjson" });
    let closed = false;
    response.on("close", () => {
      if (!response.writableFinished) {
        closed = true;
        entry.aborted = true;
      }
    });
    for (const piece of pieces) {
      if (closed) return;
      await writeLine(response, piece);
      if (state.tokenDelayMs > 0) await sleep(state.tokenDelayMs);
    }
    if (closed) return;
    beforeFinal?.();
    await writeLine(response, final);
    response.end();
  }

  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    entry: StandInRequest,
  ): Promise<void> {
    const { method, path } = entry;
    if (state.latencyMs > 0) await sleep(state.latencyMs);
    if (
      state.unavailable === "close" ||
      (state.failures.dropConnection?.path === path && takeFailure(state.failures.dropConnection))
    ) {
      request.socket.destroy();
      return;
    }
    if (state.unavailable) throw new HttpError(503, "stand-in Ollama is unavailable");

    if ((method === "GET" || method === "HEAD") && path === "/") {
      response.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
      response.end("Ollama is running");
      return;
    }
    if (method === "GET" && path === "/api/version")
      // `standIn` is ours, not Ollama's: it lets reports say when figures came from lexical stand-in vectors.
      return sendJson(response, 200, { version: STAND_IN_OLLAMA_VERSION, standIn: true });
    if (method === "GET" && path === "/api/tags") {
      const models = [...state.models.values()].map((model) => ({
        name: model.name,
        model: model.name,
        modified_at: MODIFIED_AT,
        size: model.size,
        digest: model.digest,
        details: modelDetails(model),
      }));
      return sendJson(response, 200, { models });
    }
    if (method === "GET" && path === "/api/ps") return sendJson(response, 200, { models: [] });
    if (method !== "POST") throw new HttpError(404, `${method} ${path} not found`);

    const body = entry.body;
    switch (path) {
      case "/api/show":
        return sendJson(response, 200, showResponse(state, requireModel(state, body)));
      case "/api/embed":
      case "/api/embeddings": {
        const model = requireModel(state, body);
        if (takeFailure(state.failures.embed)) {
          throw new HttpError(state.failures.embed!.status, "stand-in injected embedding failure");
        }
        if (path === "/api/embeddings") {
          const prompt = field(body, "prompt");
          return sendJson(response, 200, {
            embedding: lexicalEmbedding(typeof prompt === "string" ? prompt : "", state.embeddingDimension),
          });
        }
        const input = field(body, "input");
        const texts = typeof input === "string" ? [input] : input;
        if (!Array.isArray(texts) || texts.some((text) => typeof text !== "string")) {
          throw new HttpError(400, "input must be a string or an array of strings");
        }
        return sendJson(response, 200, {
          model: model.name,
          embeddings: (texts as string[]).map((text) => lexicalEmbedding(text, state.embeddingDimension)),
          total_duration: 1_000_000,
          load_duration: 100_000,
          prompt_eval_count: (texts as string[]).reduce((sum, text) => sum + estimateTokens(text), 0),
        });
      }
      case "/api/chat":
      case "/api/generate": {
        const model = requireModel(state, body);
        if (model.embeddingOnly)
          throw new HttpError(400, `"${model.name}" does not support ${path.slice(5)}`);
        if (takeFailure(state.failures.chat)) {
          throw new HttpError(state.failures.chat!.status, "stand-in injected chat failure");
        }
        const isChat = path === "/api/chat";
        const messages: StandInMessage[] = isChat
          ? ((field(body, "messages") as StandInMessage[] | undefined) ?? []).map((message) => ({
              role: String(message.role),
              content: String(message.content ?? ""),
            }))
          : [
              ...(typeof field(body, "system") === "string"
                ? [{ role: "system", content: field(body, "system") as string }]
                : []),
              { role: "user", content: String(field(body, "prompt") ?? "") },
            ];
        const reply = buildReply(messages);
        const pieces = replyPieces(reply.text);
        const stream = field(body, "stream") !== false;
        const timing = {
          total_duration: 2_000_000 + pieces.length * 10_000,
          load_duration: 100_000,
          prompt_eval_count: messages.reduce((sum, message) => sum + estimateTokens(message.content), 0),
          prompt_eval_duration: 500_000,
          eval_count: pieces.length,
          eval_duration: pieces.length * 10_000,
        };
        const createdAt = now();
        const chunkOf = (text: string) =>
          isChat
            ? {
                model: model.name,
                created_at: createdAt,
                message: { role: "assistant", content: text },
                done: false,
              }
            : { model: model.name, created_at: createdAt, response: text, done: false };
        const final = isChat
          ? {
              model: model.name,
              created_at: createdAt,
              message: { role: "assistant", content: stream ? "" : reply.text },
              done: true,
              done_reason: "stop",
              ...timing,
            }
          : {
              model: model.name,
              created_at: createdAt,
              response: stream ? "" : reply.text,
              done: true,
              done_reason: "stop",
              context: [],
              ...timing,
            };
        return streamOrSend(response, entry, stream, pieces.map(chunkOf), final);
      }
      case "/api/pull": {
        const name = field(body, "model") ?? field(body, "name");
        if (typeof name !== "string" || name === "") throw new HttpError(400, "model is required");
        const model = describeModel(name);
        const layers = [
          { digest: `sha256:${model.digest}`, total: model.size },
          { digest: `sha256:${fakeDigest(`${model.name}/license`)}`, total: 11_357 },
        ];
        const steps = 4;
        const progress: unknown[] = [{ status: "pulling manifest" }];
        for (const layer of layers) {
          for (let step = 0; step <= steps; step++) {
            progress.push({
              status: `pulling ${layer.digest.slice(7, 19)}`,
              digest: layer.digest,
              total: layer.total,
              completed: Math.round((layer.total * step) / steps),
            });
          }
        }
        progress.push({ status: "verifying sha256 digest" }, { status: "writing manifest" });
        // Installed before the final line, so a client that sees "success" finds it in /api/tags.
        return streamOrSend(
          response,
          entry,
          field(body, "stream") !== false,
          progress,
          { status: "success" },
          () => state.models.set(model.name, model),
        );
      }
      default:
        throw new HttpError(404, `${method} ${path} not found`);
    }
  }

  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    const entry: StandInRequest = { method: request.method ?? "GET", path, body: undefined };
    requests.push(entry);
    const originalWriteHead = response.writeHead.bind(response);
    response.writeHead = ((status: number, ...rest: unknown[]) => {
      entry.status = status;
      return (originalWriteHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof response.writeHead;
    readBody(request)
      .then((body) => {
        entry.body = body;
        return handle(request, response, entry);
      })
      .catch((error: unknown) => {
        if (response.headersSent || response.destroyed) {
          response.destroy();
          return;
        }
        const status = error instanceof HttpError ? error.status : 500;
        sendJson(response, status, { error: error instanceof Error ? error.message : String(error) });
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard address is not something to connect to; the loopback reaches it.
  const wildcard = address.address === "0.0.0.0" || address.address === "::";
  const host = wildcard ? "127.0.0.1" : address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    requests,
    setOptions(next) {
      applyOptions(state, next);
    },
    close() {
      return new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}
