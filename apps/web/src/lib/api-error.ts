import type { ErrorBody } from "./api-types";

/** An error reported by the server (`{"error":{"code","message"}}`) or by the network. */
export class ApiError extends Error {
  /** The server's error code such as "not_found:workspace", or "network" / "http:<status>". */
  readonly code: string;
  /** HTTP status; 0 when the request never got an answer. */
  readonly status: number;
  /** Seconds to wait before trying again (the `Retry-After` of a 429), or null. */
  readonly retryAfterSeconds: number | null;
  /** The uploaded file the error is about (the server's `error.file`), or null. */
  readonly file: string | null;

  constructor(options: {
    code: string;
    message: string;
    status: number;
    retryAfterSeconds?: number | null;
    file?: string | null;
  }) {
    super(options.message);
    this.name = "ApiError";
    this.code = options.code;
    this.status = options.status;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.file = options.file ?? null;
  }
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== "object" || value === null || !("error" in value)) return false;
  const error = (value as { error: unknown }).error;
  return (
    typeof error === "object" &&
    error !== null &&
    typeof (error as { code?: unknown }).code === "string" &&
    typeof (error as { message?: unknown }).message === "string"
  );
}

/** Reads `Retry-After` as seconds: either a number of seconds or an HTTP date. */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

/** Turns a non-OK response into an ApiError, reading the server's error body when there is one. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const text = await response.text().catch(() => "");
  const retryAfterSeconds = parseRetryAfter(response.headers.get("retry-after"));
  try {
    const body: unknown = JSON.parse(text);
    if (isErrorBody(body)) {
      return new ApiError({
        code: body.error.code,
        message: body.error.message,
        status: response.status,
        retryAfterSeconds,
        file: typeof body.error.file === "string" ? body.error.file : null,
      });
    }
  } catch {
    // Not JSON (a proxy's HTML page, say): fall through to the status line.
  }
  const detail = text.trim().slice(0, 200);
  return new ApiError({
    code: `http:${response.status}`,
    message: detail || `${response.status} ${response.statusText}`.trim(),
    status: response.status,
    retryAfterSeconds,
  });
}

/** Normalises anything thrown by fetch or our code into an ApiError with a readable message. */
export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  if (error instanceof Error) return new ApiError({ code: "network", message: error.message, status: 0 });
  return new ApiError({ code: "network", message: String(error), status: 0 });
}
