import { timingSafeEqual } from "node:crypto";
import { ZhikuError } from "@zhiku/ingest";

/** Compares a signature sent with one computed, in constant time. */
export function signaturesMatch(sent: string | undefined, expected: string): boolean {
  if (sent === undefined) return false;
  const a = Buffer.from(sent, "utf8");
  const b = Buffer.from(expected, "utf8");
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The refusal of a request whose signature does not verify. */
export function badSignature(platform: string): ZhikuError {
  return new ZhikuError("unauthorized:signature", `The ${platform} request signature does not verify`);
}

/**
 * Throws `unauthorized:stale_request` unless a request's timestamp is within `windowMs` of now (either side): a
 * replayed request carries its old timestamp, and changing it breaks the signature.
 */
export function requireFreshTimestamp(options: {
  platform: string;
  timestampMs: number;
  windowMs: number;
  nowMs: number;
}): void {
  if (
    !Number.isFinite(options.timestampMs) ||
    Math.abs(options.nowMs - options.timestampMs) > options.windowMs
  ) {
    throw new ZhikuError(
      "unauthorized:stale_request",
      `The ${options.platform} request's timestamp is missing or more than ${Math.round(options.windowMs / 60_000)} minutes from now`,
    );
  }
}
