import { ZhikuError } from "@zhiku/ingest";

/** Node's and SQLite's codes for a full disk or quota. */
const diskFullCodes = new Set(["ENOSPC", "EDQUOT", "SQLITE_FULL"]);

/**
 * How a full disk reads in messages that crossed a thread or came from native code (LanceDB's Rust I/O says
 * "No space left on device (os error 28)").
 */
const diskFullMessage = /no space left on device|os error 28|disk quota exceeded|database or disk is full/i;

/** True when an error, or any error in its `cause` chain, means the disk (or the quota) is full. */
export function isDiskFull(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 8; depth += 1) {
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (typeof code === "string" && diskFullCodes.has(code)) return true;
    if (typeof message === "string" && diskFullMessage.test(message)) return true;
    current = cause;
  }
  return false;
}

/** The plain message for a full disk: what happened and what to do, nothing from inside the server. */
export const diskFullText = "The server's disk is full; free some space, then try again";

/** `unavailable:disk` (503) for a full disk, keeping the original as its cause for the log. */
export function diskFullError(cause: unknown): ZhikuError {
  return new ZhikuError("unavailable:disk", diskFullText, { cause });
}
