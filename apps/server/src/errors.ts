import { isZhikuError, ZhikuError } from "@zhiku/ingest";
import type { Context, ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { diskFullError, isDiskFull } from "./disk-full.js";
import type { Logger } from "./logger.js";

/** The body of every error response; `file` names the uploaded file an error is about, when it is about one. */
export interface ErrorBody {
  error: { code: string; message: string; file?: string };
}

/**
 * HTTP status for each error kind (the part of a code before the colon). This file is the only place that maps
 * errors to statuses: everything else throws a {@link ZhikuError} with a code.
 */
const statusByKind: Record<string, ContentfulStatusCode> = {
  invalid: 400,
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  unsupported: 415,
  too_many: 429,
  upstream: 502,
  unavailable: 503,
  internal: 500,
};

/**
 * Codes whose status is not their kind's, kept as they have always been answered: wrong credentials are a 401,
 * and a page the server could not fetch is the other server's failure (502), not Zhiku's (503).
 */
const statusByCode: Record<string, ContentfulStatusCode> = {
  "invalid:credentials": 401,
  "unavailable:url": 502,
};

/** Maps an error code such as `not_found:workspace` to its HTTP status; unknown kinds are 500. */
function statusForCode(code: string): ContentfulStatusCode {
  return statusByCode[code] ?? statusByKind[code.split(":")[0] ?? ""] ?? 500;
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

/** What the API answers for an error: status, body, extra headers, and whether it was an expected one. */
export interface ErrorResponse {
  status: ContentfulStatusCode;
  body: ErrorBody;
  /** `Retry-After` when the error says when a retry may succeed. */
  headers: Record<string, string>;
  /** False for unknown failures, which are logged with their cause. */
  expected: boolean;
}

/** Converts any thrown value into the status, body and headers the API answers with. */
export function toErrorResponse(error: unknown): ErrorResponse {
  if (isZhikuError(error)) {
    return {
      status: statusForCode(error.code),
      body: {
        error: {
          code: error.code,
          message: error.message,
          ...(error.file === undefined ? {} : { file: error.file }),
        },
      },
      headers:
        error.retryAfterSeconds === undefined
          ? {}
          : { "Retry-After": String(Math.ceil(error.retryAfterSeconds)) },
      expected: true,
    };
  }
  if (error instanceof HTTPException) {
    const status = error.status as ContentfulStatusCode;
    const message = error.message || "Request failed";
    // hono's validator throws this for a body that is not JSON.
    const code = /malformed json/i.test(message) ? "invalid:json" : codeForStatus(status);
    return { status, body: { error: { code, message } }, headers: {}, expected: status < 500 };
  }
  // A full disk is the operator's to fix, not a bug: say so plainly (the cause still goes to the log).
  if (isDiskFull(error)) return { ...toErrorResponse(diskFullError(error)), expected: false };
  return {
    status: 500,
    body: {
      error: { code: "internal:error", message: "Internal server error; the cause is in the server log." },
    },
    headers: {},
    expected: false,
  };
}

/** The one `app.onError` handler: domain errors keep their code, unknown ones become a logged 500. */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (error, c) => {
    const { status, body, headers, expected } = toErrorResponse(error);
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
    return c.json(body, status, headers);
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
 * Turns the first validation issue into an `invalid:<field>` error (400) whose message names the field,
 * e.g. `{"code":"invalid:name","message":"name: Too small: expected string to have >=1 characters"}`.
 */
export function validationError(target: string, issues: readonly ValidationIssue[]): ZhikuError {
  const issue = issues[0];
  const field =
    issue?.path && issue.path.length > 0
      ? issue.path.map((segment) => String(typeof segment === "object" ? segment.key : segment)).join(".")
      : target;
  return new ZhikuError(`invalid:${field}`, `${field}: ${issue?.message ?? "invalid value"}`);
}

/** OpenAI's error body. */
export interface OpenAiErrorBody {
  error: { message: string; type: string; code: string; param: string | null };
}

/**
 * The error in OpenAI's shape. `/v1` differs from the rest of the API (`{"error":{"code","message"}}`) on purpose:
 * the official `openai` client and the tools built on it read `error.message` and `error.type` from this shape,
 * and a client that expects OpenAI must not need to know it talks to Zhiku. The type follows the status.
 */
export function toOpenAiError(error: unknown): { status: ContentfulStatusCode; body: OpenAiErrorBody } {
  const { status, body } = toErrorResponse(error);
  const type =
    status === 401
      ? "authentication_error"
      : status === 404
        ? "not_found_error"
        : status < 500
          ? "invalid_request_error"
          : status === 503
            ? "service_unavailable_error"
            : "server_error";
  return {
    status,
    body: { error: { message: body.error.message, type, code: body.error.code, param: null } },
  };
}
