import { isZhikuError } from "@zhiku/ingest";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { diskFullError, isDiskFull } from "./disk-full.js";
import type { Logger } from "./logger.js";

/** An error the API reports as-is: a stable `code` like `not_found:document`, a message, an HTTP status. */
export class AppError extends Error {
  /** Stable machine-readable code, `<kind>:<subject>`. */
  readonly code: string;
  /** HTTP status the error maps to. */
  readonly status: ContentfulStatusCode;
  /** The uploaded file the error is about, sent as `error.file` so a client can name it in its own words. */
  readonly file: string | undefined;

  constructor(
    code: string,
    message: string,
    status: ContentfulStatusCode,
    options?: { cause?: unknown; file?: string },
  ) {
    super(message, options);
    this.name = "AppError";
    this.code = code;
    this.status = status;
    this.file = options?.file;
  }
}

/** The body of every error response; `file` names the uploaded file an error is about, when it is about one. */
export interface ErrorBody {
  error: { code: string; message: string; file?: string };
}

/** HTTP status for each error kind (the part of a code before the colon). */
const statusByKind: Record<string, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  too_many: 429,
  unavailable: 503,
};

/** Maps an error code such as `not_found:workspace` to its HTTP status; unknown kinds are 500. */
export function statusForCode(code: string): ContentfulStatusCode {
  return statusByKind[code.split(":")[0] ?? ""] ?? 500;
}

/** Error code for an HTTPException without one, by status. */
function codeForStatus(status: number): string {
  switch (status) {
    case 400:
      return "invalid:request";
    case 401:
      return "unauthorized:request";
    case 403:
      return "forbidden:request";
    case 404:
      return "not_found:route";
    case 413:
      return "too_large:request";
    case 415:
      return "unsupported:media_type";
    default:
      return status >= 500 ? "internal:error" : "invalid:request";
  }
}

/** Converts any thrown value into the status and body the API answers with. */
export function toErrorResponse(error: unknown): {
  status: ContentfulStatusCode;
  body: ErrorBody;
  expected: boolean;
} {
  if (error instanceof AppError) {
    return {
      status: error.status,
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.file === undefined ? {} : { file: error.file }),
        },
      },
      expected: true,
    };
  }
  if (isZhikuError(error)) {
    return {
      status: statusForCode(error.code),
      body: { error: { code: error.code, message: error.message } },
      expected: true,
    };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = error.message || "Request failed";
    // hono's validator throws this for a body that is not JSON.
    const code = /malformed json/i.test(message) ? "invalid:json" : codeForStatus(status);
    return { status, body: { error: { code, message } }, expected: status < 500 };
  }
  // A full disk is the operator's to fix, not a bug: say so plainly (the cause still goes to the log).
  if (isDiskFull(error)) return { ...toErrorResponse(diskFullError(error)), expected: false };
  return {
    status: 500,
    body: {
      error: { code: "internal:error", message: "Internal server error; the cause is in the server log." },
    },
    expected: false,
  };
}

/** The one `app.onError` handler: domain errors keep their code, unknown ones become a logged 500. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const { status, body, expected } = toErrorResponse(error);
    if (expected) {
      logger.debug(
        { requestId: c.get("requestId"), code: body.error.code, path: c.req.path },
        body.error.message,
      );
    } else {
      logger.error(
        { requestId: c.get("requestId"), err: error, method: c.req.method, path: c.req.path },
        "Unhandled error in request",
      );
    }
    return c.json(body, status);
  };
}

/** JSON 404 for unknown API routes, in the same shape as every other error. */
export const notFoundHandler: NotFoundHandler = (c: Context) =>
  c.json(
    {
      error: { code: "not_found:route", message: `No route for ${c.req.method} ${c.req.path}` },
    } satisfies ErrorBody,
    404,
  );

/** A validation issue as reported by Standard Schema validators (zod 4 included). */
export interface ValidationIssue {
  message: string;
  path?: ReadonlyArray<PropertyKey | { key: PropertyKey }> | undefined;
}

/**
 * Turns the first validation issue into an `invalid:<field>` AppError (400) whose message names the field,
 * e.g. `{"code":"invalid:name","message":"name: Too small: expected string to have >=1 characters"}`.
 */
export function validationError(target: string, issues: readonly ValidationIssue[]): AppError {
  const issue = issues[0];
  const field =
    issue?.path && issue.path.length > 0
      ? issue.path.map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".")
      : target;
  return new AppError(`invalid:${field}`, `${field}: ${issue?.message ?? "invalid value"}`, 400);
}
