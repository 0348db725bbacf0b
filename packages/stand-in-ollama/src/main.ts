#!/usr/bin/env node
import { parseArgs } from "node:util";
import { startStandInOllama } from "./server.js";

/**
 * Runs the stand-in Ollama until interrupted: `npm run stand-in-ollama -- --port 11434`.
 * Options: --port (or STAND_IN_OLLAMA_PORT, default 11434), --host (default 127.0.0.1), --model (repeatable,
 * default bge-m3 and qwen2.5:7b), --dimension (default 1024), --latency and --token-delay in milliseconds.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: "string" },
      host: { type: "string", default: "127.0.0.1" },
      model: { type: "string", multiple: true },
      dimension: { type: "string" },
      latency: { type: "string" },
      "token-delay": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) {
    console.log(
      "Usage: stand-in-ollama [--port 11434] [--host 127.0.0.1] [--model bge-m3 --model qwen2.5:7b] [--dimension 1024] [--latency ms] [--token-delay ms]",
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
  const standIn = await startStandInOllama({
    port: number("--port", values.port ?? process.env.STAND_IN_OLLAMA_PORT) ?? 11434,
    host: values.host,
    ...(values.model ? { models: values.model } : {}),
    embeddingDimension: number("--dimension", values.dimension),
    latencyMs: number("--latency", values.latency),
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
