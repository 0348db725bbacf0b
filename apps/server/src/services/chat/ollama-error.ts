import { isZhikuError, ZhikuError } from "@zhiku/ingest";

/** True when `error` is the abort of the request's own signal (the client went away), not a failure. */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && (error.name === "AbortError" || error.name === "TimeoutError");
}

/**
 * Turns what the Ollama client throws into a {@link ZhikuError}: a refused or failed connection and 5xx answers
 * become `unavailable:ollama`, a 404 for the model becomes `not_found:model`. Aborts pass through unchanged.
 */
export function toOllamaError(error: unknown, options: { host?: string; model: string }): unknown {
  if (isAbortError(error) || isZhikuError(error)) return error;
  if (error instanceof Error && error.name === "ResponseError") {
    const status = (error as Error & { status_code?: number }).status_code;
    if (status === 404) {
      return new ZhikuError(
        "not_found:model",
        `Ollama has no model "${options.model}": pull it (POST /api/models/pull) or pick another chat model in the workspace settings`,
        { cause: error },
      );
    }
    return new ZhikuError(
      "unavailable:ollama",
      `Ollama failed (${status ?? "no status"}): ${error.message}`,
      {
        cause: error,
      },
    );
  }
  const where = options.host ? ` at ${options.host}` : "";
  const detail = error instanceof Error ? error.message : String(error);
  // fetch reports a refused or broken connection as a TypeError; anything else came from Ollama mid-answer
  // (an `error` line in the stream, or a stream that ended without `done`).
  const message =
    error instanceof TypeError
      ? `Ollama is not reachable${where}: ${detail}`
      : `Ollama failed while answering: ${detail}`;
  return new ZhikuError("unavailable:ollama", message, { cause: error });
}
