import { type Logger as PinoLogger, pino } from "pino";

/** The logging the server uses: pino's structured methods. */
export type Logger = Pick<PinoLogger, "fatal" | "error" | "warn" | "info" | "debug" | "trace">;

/** Creates a pino logger at the given level (`silent` for tests). */
export function createLogger(level: string): Logger {
  return pino({ level });
}
