#!/usr/bin/env node
// Entry point of `npm start`. Everything that may load LanceDB is imported dynamically below, after its
// settings are in the environment (without a thread cap it can hang building full-text indexes on small machines).
import { fileURLToPath } from "node:url";
import { configureLanceEnvironment } from "@zhiku/ingest/lance-environment";
import { EnvironmentError, parseEnvironment, type ServerConfig } from "./env.js";

configureLanceEnvironment();

let config: ServerConfig;
try {
  config = parseEnvironment(process.env);
} catch (error) {
  if (error instanceof EnvironmentError) {
    console.error(error.message);
    process.exit(1);
  }
  throw error;
}

const { createLogger } = await import("./logger.js");
const logger = createLogger(config.logLevel);
const { startServer } = await import("./server.js");
const webRoot = fileURLToPath(new URL("../../web/dist", import.meta.url));

try {
  const running = await startServer({ config, logger, webRoot });
  logger.info(
    {
      url: `http://${config.host === "0.0.0.0" ? "localhost" : config.host}:${running.port}`,
      dataDir: running.deps.config.dataDir,
    },
    "Zhiku is listening",
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn({ signal }, "Second signal; exiting now");
      process.exit(1);
    }
    stopping = true;
    logger.info({ signal }, "Shutting down");
    // A stop that hangs (a stuck connection or worker) still ends, before the 30 s compose grants before SIGKILL;
    // jobs resume on the next start either way.
    setTimeout(() => {
      logger.error({ signal }, "Shutdown took longer than 25 s; exiting now");
      process.exit(1);
    }, 25_000).unref();
    running.close().then(
      () => {
        logger.info("Stopped");
        process.exit(0);
      },
      (error: unknown) => {
        logger.error({ err: error }, "Shutdown failed");
        process.exit(1);
      },
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  logger.fatal({ err: error }, error instanceof Error ? error.message : "Zhiku failed to start");
  process.exit(1);
}
