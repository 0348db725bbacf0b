import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { chatResponse } from "./chat-response.js";
import { embeddingModeOf, embedWithMode } from "./embedding-mode.js";
import { field, HttpError, readBody, sendJson, writeLine } from "./http.js";
import {
  describeModel,
  MODIFIED_AT,
  modelDetails,
  pullProgress,
  type StandInModel,
  showResponse,
  withTag,
} from "./models.js";
import {
  applyOptions,
  createState,
  type StandInMutableOptions,
  type StandInOllamaOptions,
  type StandInState,
  takeFailure,
} from "./options.js";
import { parseRerankRequest, RerankRequestError, rerank } from "./rerank.js";
import { estimateTokens } from "./token-estimate.js";

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
  /** Base URL, e.g. `http://127.0.0.1:40123`, to use as `OLLAMA_HOST` (and as `RERANK_URL`). */
  url: string;
  /** The port it listens on. */
  port: number;
  /** Every request received, in order, for tests to inspect. */
  requests: StandInRequest[];
  /** Changes options for later requests (models, dimension, embedding mode, delays, failures, availability). */
  setOptions(options: StandInMutableOptions): void;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The version the stand-in reports. */
export const STAND_IN_OLLAMA_VERSION = "0.12.6";

/** The model a request names (`model`, or `name` as older clients and `pull` send it), which must be installed. */
function requireModel(state: StandInState, body: unknown): StandInModel {
  const name = field(body, "model") ?? field(body, "name");
  if (typeof name !== "string" || name === "") throw new HttpError(400, "model is required");
  const model = state.models.get(withTag(name));
  if (!model) throw new HttpError(404, `model '${name}' not found`);
  return model;
}

/** Answers `/api/embed` (`input`: a string or strings) or the older `/api/embeddings` (`prompt`). */
function embedResponse(state: StandInState, path: string, body: unknown): unknown {
  const model = requireModel(state, body);
  if (takeFailure(state.failures.embed)) {
    throw new HttpError(state.failures.embed!.status, "stand-in injected embedding failure");
  }
  const mode = embeddingModeOf(model.name, state.embeddingMode);
  const embed = (text: string) => embedWithMode(text, state.embeddingDimension, mode);
  if (path === "/api/embeddings") {
    const prompt = field(body, "prompt");
    return { embedding: embed(typeof prompt === "string" ? prompt : "") };
  }
  const input = field(body, "input");
  const texts = typeof input === "string" ? [input] : input;
  if (!Array.isArray(texts) || texts.some((text) => typeof text !== "string")) {
    throw new HttpError(400, "input must be a string or an array of strings");
  }
  return {
    model: model.name,
    embeddings: (texts as string[]).map(embed),
    total_duration: 1_000_000,
    load_duration: 100_000,
    prompt_eval_count: (texts as string[]).reduce((sum, text) => sum + estimateTokens(text), 0),
  };
}

/** Answers `/v1/rerank` in the shape llama.cpp, vLLM, Xinference and Jina share. */
async function rerankResponse(state: StandInState, body: unknown): Promise<unknown> {
  if (state.rerankLatencyMs > 0) await sleep(state.rerankLatencyMs);
  if (takeFailure(state.failures.rerank)) {
    throw new HttpError(state.failures.rerank!.status, "stand-in injected rerank failure");
  }
  let request: ReturnType<typeof parseRerankRequest>;
  try {
    request = parseRerankRequest(body);
  } catch (error) {
    if (error instanceof RerankRequestError) throw new HttpError(400, error.message);
    throw error;
  }
  const model = field(body, "model");
  const tokens = [request.query, ...request.documents].reduce((sum, text) => sum + estimateTokens(text), 0);
  return {
    model: typeof model === "string" && model !== "" ? model : "stand-in-reranker",
    object: "list",
    results: rerank(request),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}

/**
 * Starts a stand-in Ollama HTTP server for tests and local runs: `/api/version`, `/api/tags`, `/api/ps`,
 * `/api/show`, `/api/embed` (deterministic lexical or anisotropic embeddings), `/api/chat` and `/api/generate`
 * (streamed NDJSON or one JSON object; a deterministic reply that cites the numbered passages in the prompt),
 * `/api/pull` (streamed progress; the model is installed afterwards), and — not Ollama's, a reranking server's —
 * `POST /v1/rerank` (lexical-overlap scores). Response shapes follow the real APIs. Latency, token delay and
 * failures (HTTP statuses, dropped connections, total unavailability) can be injected.
 */
export async function startStandInOllama(options: StandInOllamaOptions = {}): Promise<StandInOllama> {
  const { port, host, ...mutable } = options;
  const state = createState(mutable);
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
        return sendJson(response, 200, showResponse(requireModel(state, body), state.embeddingDimension));
      case "/api/embed":
      case "/api/embeddings":
        return sendJson(response, 200, embedResponse(state, path, body));
      case "/api/chat":
      case "/api/generate": {
        const model = requireModel(state, body);
        const isChat = path === "/api/chat";
        if (!model.embeddingOnly && takeFailure(state.failures.chat)) {
          throw new HttpError(state.failures.chat!.status, "stand-in injected chat failure");
        }
        const { stream, pieces, final } = chatResponse(model, isChat, body);
        return streamOrSend(response, entry, stream, pieces, final);
      }
      case "/api/pull": {
        const name = field(body, "model") ?? field(body, "name");
        if (typeof name !== "string" || name === "") throw new HttpError(400, "model is required");
        const model = describeModel(name);
        // Installed before the final line, so a client that sees "success" finds it in /api/tags.
        return streamOrSend(
          response,
          entry,
          field(body, "stream") !== false,
          pullProgress(model),
          { status: "success" },
          () => state.models.set(model.name, model),
        );
      }
      case "/v1/rerank":
        return sendJson(response, 200, await rerankResponse(state, body));
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
        const message = error instanceof Error ? error.message : String(error);
        // Ollama answers `{ error: "…" }`; reranking servers answer OpenAI's `{ error: { message, … } }`.
        const shaped = path.startsWith("/v1/")
          ? {
              error: { code: status, message, type: status < 500 ? "invalid_request_error" : "server_error" },
            }
          : { error: message };
        sendJson(response, status, shaped);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port ?? 0, host ?? "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  // A wildcard address is not something to connect to; the loopback reaches it.
  const wildcard = address.address === "0.0.0.0" || address.address === "::";
  const hostName = wildcard
    ? "127.0.0.1"
    : address.family === "IPv6"
      ? `[${address.address}]`
      : address.address;
  return {
    url: `http://${hostName}:${address.port}`,
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
