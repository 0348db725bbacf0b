import { createHmac } from "node:crypto";
import { badSignature, requireFreshTimestamp, signaturesMatch } from "../verify.js";

/** Slack refuses nothing older; neither do we (Slack's "Verifying requests from Slack"). */
export const slackTimestampWindowMs = 5 * 60 * 1000;

/** Options for {@link verifySlackRequest}. */
export interface VerifySlackRequestOptions {
  /** The app's Signing Secret. */
  signingSecret: string;
  /** `X-Slack-Request-Timestamp`, seconds since the epoch. */
  timestamp: string | undefined;
  /** `X-Slack-Signature`, `v0=` and hex. */
  signature: string | undefined;
  /** The raw request body, exactly as received. */
  body: string;
  /** Now, in ms since the epoch. */
  nowMs: number;
}

/** The `v0` signature Slack sends: HMAC-SHA256 of `v0:{timestamp}:{body}` under the signing secret, in hex. */
export function slackSignature(options: { signingSecret: string; timestamp: string; body: string }): string {
  const digest = createHmac("sha256", options.signingSecret)
    .update(`v0:${options.timestamp}:${options.body}`)
    .digest("hex");
  return `v0=${digest}`;
}

/**
 * Verifies a request from Slack: the timestamp within five minutes of now, then the `v0` signature. Throws
 * `unauthorized:stale_request` or `unauthorized:signature`.
 */
export function verifySlackRequest(options: VerifySlackRequestOptions): void {
  const timestamp = options.timestamp ?? "";
  requireFreshTimestamp({
    platform: "Slack",
    timestampMs: /^\d+$/.test(timestamp) ? Number(timestamp) * 1000 : Number.NaN,
    windowMs: slackTimestampWindowMs,
    nowMs: options.nowMs,
  });
  const expected = slackSignature({ signingSecret: options.signingSecret, timestamp, body: options.body });
  if (!signaturesMatch(options.signature, expected)) throw badSignature("Slack");
}
