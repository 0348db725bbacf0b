/**
 * Error codes follow `<kind>:<subject>` so the server can map them to HTTP statuses by kind:
 * `invalid` → 400/422, `not_found` → 404, `conflict` → 409, `too_large` → 413, `unsupported` → 415,
 * `unavailable` → 503.
 */
export type IngestErrorCode =
  | "invalid:empty"
  | "invalid:corrupt"
  | "invalid:encrypted"
  | "invalid:binary"
  | "invalid:encoding"
  | "invalid:input"
  | "too_large:file"
  | "too_large:archive"
  | "unsupported:type"
  | "not_found:workspace"
  | "not_found:document"
  | "not_found:model"
  | "conflict:embedding_model"
  | "conflict:workspace"
  | "unavailable:ollama";

/** A failure with a stable machine-readable code and a message a person can act on. */
export class IngestError extends Error {
  /** Stable code, see {@link IngestErrorCode}. */
  readonly code: IngestErrorCode;

  constructor(code: IngestErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "IngestError";
    this.code = code;
  }
}

/** True when `error` is an {@link IngestError}, optionally with the given code. */
export function isIngestError(error: unknown, code?: IngestErrorCode): error is IngestError {
  return error instanceof IngestError && (code === undefined || error.code === code);
}
