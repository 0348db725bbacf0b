import { type Logger as PinoLogger, pino } from "pino";

/** The logging the server uses: pino's structured methods. */
export type Logger = Pick<PinoLogger, "fatal" | "error" | "warn" | "info" | "debug" | "trace">;

/**
 * Fields never written to the log, wherever they turn up (a safety net: the server does not log headers or
 * bodies on purpose). Paths are pino's redact syntax: `*` is one level of nesting.
 */
export const redactedPaths = [
  "headers.authorization",
  "headers.cookie",
  'headers["set-cookie"]',
  "*.headers.authorization",
  "*.headers.cookie",
  '*.headers["set-cookie"]',
  "password",
  "*.password",
  "apiKey",
  "*.apiKey",
  "token",
  "*.token",
  "sessionId",
  "*.sessionId",
];

/** Options for {@link createLogger} beyond the level. */
export interface CreateLoggerOptions {
  /** Where the JSON lines go; standard output when omitted (tests pass a collecting stream). */
  destination?: NodeJS.WritableStream;
}

/**
 * Creates a pino logger at the given level (`silent` for tests): one JSON object per line with an ISO time,
 * secrets ({@link redactedPaths}) replaced by `[redacted]`.
 */
export function createLogger(level: string, options: CreateLoggerOptions = {}): Logger {
  const settings = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: redactedPaths, censor: "[redacted]" },
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}
