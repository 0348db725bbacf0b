import { availableParallelism } from "node:os";

/**
 * Sets LanceDB's settings for this machine where the user has not set them; call it in every entry point before
 * anything loads LanceDB (this module does not).
 * - `LANCE_CPU_THREADS`: the CPU count. Without a cap LanceDB 0.31 can hang building a full-text index over
 *   about 1,000 or more Chinese chunks on a 2-core machine.
 * - `LANCE_SHUFFLE_BATCH_BYTES` 16 MB and `LANCE_DEFAULT_IO_BUFFER_SIZE` 32 MB: building the vector index of a
 *   1M-chunk table then peaks at about 800 MB instead of 1.7 GB, at no measured cost in build or search time
 *   (bench/README.md, "Search").
 * - `LANCEDB_LOG` error: hybrid queries log deprecation warnings from inside LanceDB otherwise.
 */
export function configureLanceEnvironment(environment: NodeJS.ProcessEnv = process.env): void {
  environment.LANCE_CPU_THREADS ??= String(availableParallelism());
  environment.LANCE_SHUFFLE_BATCH_BYTES ??= String(16 * 1024 * 1024);
  environment.LANCE_DEFAULT_IO_BUFFER_SIZE ??= String(32 * 1024 * 1024);
  environment.LANCEDB_LOG ??= "error";
}
