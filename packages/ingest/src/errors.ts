/**
 * The one error class of Zhiku, read by the ingest package, the server, the CLI and the worker threads.
 *
 * Codes follow `<kind>:<subject>`; the server maps the kind to an HTTP status (in its `errors.ts` only):
 * `invalid` → 400, `unauthorized` → 401, `forbidden` → 403, `not_found` → 404, `conflict` → 409,
 * `too_large` → 413, `unsupported` → 415, `too_many` → 429, `unavailable` → 503, `upstream` → 502.
 */
export type ErrorKind =
  | "invalid"
  | "unauthorized"
  | "forbidden"
  | "not_found"
  | "conflict"
  | "too_large"
  | "unsupported"
  | "too_many"
  | "unavailable"
  | "upstream"
  | "internal";

/** A stable machine-readable code such as `not_found:workspace`. */
export type ErrorCode = `${ErrorKind}:${string}`;

/** Options of {@link ZhikuError}. */
export interface ZhikuErrorOptions {
  /** The failure this one wraps. */
  cause?: unknown;
  /**
   * Whether trying the same operation again later may succeed. Defaults from the kind: `unavailable` and
   * `too_many` are retryable, every other kind is not.
   */
  retryable?: boolean;
  /** The file the error is about (an upload, a document), so a client can name it in its own words. */
  file?: string;
  /** Seconds after which a retry may succeed (sent as `Retry-After` by the server). */
  retryAfterSeconds?: number;
}

const RETRYABLE_KINDS: ReadonlySet<string> = new Set(["unavailable", "too_many"]);

/** A failure with a stable code, a message a person can act on, and whether it is worth retrying. */
export class ZhikuError extends Error {
  /** Stable code, see {@link ErrorCode}. */
  readonly code: ErrorCode;
  /** True when the same operation may succeed if tried again later. */
  readonly retryable: boolean;
  /** The file the error is about, when it is about one. */
  readonly file: string | undefined;
  /** Seconds after which a retry may succeed, when known. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, message: string, options: ZhikuErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ZhikuError";
    this.code = code;
    this.retryable = options.retryable ?? RETRYABLE_KINDS.has(errorKind(code));
    this.file = options.file;
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The kind of a code: the part before the colon (`not_found` for `not_found:workspace`). */
export function errorKind(code: string): string {
  return code.split(":")[0] ?? "";
}

/** True when `error` is a {@link ZhikuError}, optionally with the given code. */
export function isZhikuError(error: unknown, code?: ErrorCode): error is ZhikuError {
  return error instanceof ZhikuError && (code === undefined || error.code === code);
}

/** True when `error` is a {@link ZhikuError} worth trying again (after its `retryAfterSeconds`, if any). */
export function isRetryable(error: unknown): boolean {
  return error instanceof ZhikuError && error.retryable;
}
