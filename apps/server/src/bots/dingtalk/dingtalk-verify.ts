import { createHmac } from "node:crypto";
import { badSignature, requireFreshTimestamp, signaturesMatch } from "../verify.js";

/** DingTalk's documented window: a callback whose timestamp is more than an hour from now is not DingTalk's. */
export const dingtalkTimestampWindowMs = 60 * 60 * 1000;

/** The `sign` header of a robot's outgoing callback: base64 HMAC-SHA256 of `{timestamp}\n{appSecret}` under the AppSecret. */
export function dingtalkSignature(options: { appSecret: string; timestamp: string }): string {
  return createHmac("sha256", options.appSecret)
    .update(`${options.timestamp}\n${options.appSecret}`, "utf8")
    .digest("base64");
}

/**
 * Verifies a DingTalk robot callback: the `timestamp` header (ms) within an hour of now, then the `sign` header.
 * Throws `unauthorized:stale_request` or `unauthorized:signature`.
 */
export function verifyDingtalkRequest(options: {
  appSecret: string;
  timestamp: string | undefined;
  sign: string | undefined;
  nowMs: number;
}): void {
  const timestamp = options.timestamp ?? "";
  requireFreshTimestamp({
    platform: "DingTalk",
    timestampMs: /^\d+$/.test(timestamp) ? Number(timestamp) : Number.NaN,
    windowMs: dingtalkTimestampWindowMs,
    nowMs: options.nowMs,
  });
  const expected = dingtalkSignature({ appSecret: options.appSecret, timestamp });
  if (!signaturesMatch(options.sign, expected)) throw badSignature("DingTalk");
}
