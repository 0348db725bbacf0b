#!/usr/bin/env node
import { parseArgs } from "node:util";
import { STAND_IN_EMBEDDING_MODES, type StandInEmbeddingMode } from "./embedding-mode.js";
import { startStandInOllama } from "./server.js";

/**
 * Runs the stand-in Ollama until interrupted: `npm run stand-in-ollama -- --port 11434`.
 * Options: --port (or STAND_IN_OLLAMA_PORT, default 11434), --host (default 127.0.0.1), --model (repeatable,
 * default bge-m3 and qwen2.5:7b), --dimension (default 1024), --embedding-mode (lexical or anisotropic, default
 * lexical; a model named *anisotropic* always embeds anisotropically), --latency, --rerank-latency and
 * --token-delay in milliseconds. `POST /v1/rerank` is served on the same port.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      model: { type: "string", multiple: true },
      dimension: { type: "string" },
      "embedding-mode": { type: "string" },
      latency: { type: "string" },
      "rerank-latency": { type: "string" },
      "token-delay": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "Usage: stand-in-ollama [--port 11434] [--host 127.0.0.1] [--model bge-m3 --model qwen2.5:7b] [--dimension 1024] [--embedding-mode lexical|anisotropic] [--latency ms] [--rerank-latency ms] [--token-delay ms]",
    );
    return;
  }
  const number = (name: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const parsed = Number(value);
    if (!Number.isInteger(parsed) || parsed < 0) {
      throw new Error(`${name} must be a non-negative integer, got "${value}"`);
    }
    return parsed;
  };
  const mode = values["embedding-mode"];
  if (mode !== undefined && !STAND_IN_EMBEDDING_MODES.includes(mode as StandInEmbeddingMode)) {
    throw new Error(`--embedding-mode must be one of ${STAND_IN_EMBEDDING_MODES.join(", ")}, got "${mode}"`);
  }
  const standIn = await startStandInOllama({
    port: number("--port", values.port ?? process.env.STAND_IN_OLLAMA_PORT) ?? 11434,
    host: values.host,
    ...(values.model ? { models: values.model } : {}),
    embeddingDimension: number("--dimension", values.dimension),
    ...(mode ? { embeddingMode: mode as StandInEmbeddingMode } : {}),
    latencyMs: number("--latency", values.latency),
    rerankLatencyMs: number("--rerank-latency", values["rerank-latency"]),
    tokenDelayMs: number("--token-delay", values["token-delay"]),
  });
  console.log(`Stand-in Ollama listening on ${standIn.url}`);
  console.log(`Use it with: OLLAMA_HOST=${standIn.url}`);
  const stop = () => {
    void standIn.close().finally(() => process.exit(0));
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
