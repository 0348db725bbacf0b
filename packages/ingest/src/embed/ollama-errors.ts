import { ZhikuError } from "../errors.js";

/** Socket-level error codes that mean "try again": the server is down, restarting or dropped us. */
const CONNECTION_ERROR_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "UND_ERR_SOCKET",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
  "UND_ERR_CLOSED",
]);

/** The HTTP status of an error thrown by the `ollama` client for a non-2xx response, if it is one. */
export function responseStatus(error: unknown): number | undefined {
  if (typeof error !== "object" || error === null) return undefined;
  const status = (error as { status_code?: unknown }).status_code;
  return typeof status === "number" ? status : undefined;
}

/** True when `error` (or its cause chain) is a failure to connect or a connection dropped mid-request. */
export function isConnectionError(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== "object") return false;
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && CONNECTION_ERROR_CODES.has(code)) return true;
    if (
      typeof message === "string" &&
      /fetch failed|other side closed|socket hang up|terminated/i.test(message)
    ) {
      return true;
    }
    current = cause;
  }
  return false;
}

/** A one-line description of a low-level error, with its cause ("fetch failed (connect ECONNREFUSED ...)"). */
export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? ` (${error.cause.message})` : "";
  return `${error.message}${cause}`;
}

/** True when an Ollama error message says the model is not installed. */
export function isModelMissingMessage(message: string): boolean {
  return (
    /model\s+["'`]?[^"'`]*["'`]?\s*not found/i.test(message) || /pull (it|the model) first/i.test(message)
  );
}

/** The error for a model that Ollama does not have, with the command that fixes it. */
export function modelMissingError(options: { host: string; model: string; cause?: unknown }): ZhikuError {
  return new ZhikuError(
    "not_found:model",
    `Embedding model "${options.model}" is not available in Ollama at ${options.host}: run: ollama pull ${options.model}`,
    { cause: options.cause },
  );
}

/** The error for an Ollama that cannot be reached; retryable: it may be starting or restarting. */
export function unreachableError(options: { host: string; cause: unknown }): ZhikuError {
  return new ZhikuError(
    "unavailable:ollama",
    `Cannot reach Ollama at ${options.host}: ${describeError(options.cause)}. Is it running? (ollama serve)`,
    { cause: options.cause, retryable: true },
  );
}

/** The error for a 5xx answer of Ollama to an embedding request; retryable: the next attempt may succeed. */
export function serverError(options: {
  host: string;
  model: string;
  status: number;
  message: string;
  cause: unknown;
}): ZhikuError {
  return new ZhikuError(
    "unavailable:ollama",
    `Ollama at ${options.host} failed to embed with model "${options.model}" (${options.status}): ${options.message}`,
    { cause: options.cause, retryable: true },
  );
}
