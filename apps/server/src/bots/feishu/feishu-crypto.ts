import { createDecipheriv, createHash } from "node:crypto";
import { ZhikuError } from "@zhiku/ingest";
import { badSignature, requireFreshTimestamp, signaturesMatch } from "../verify.js";

/**
 * How far a Feishu request's timestamp may be from now. Feishu documents no window; five minutes, as Slack's, refuses
 * replays while a retried delivery (re-signed when sent again) still passes.
 */
export const feishuTimestampWindowMs = 5 * 60 * 1000;

/**
 * Decrypts the `encrypt` field of a Feishu/Lark callback: base64 of a 16-byte IV and the AES-256-CBC ciphertext
 * (PKCS#7 padded), the key being the SHA-256 of the app's Encrypt Key. Throws `unauthorized:payload` when it does not
 * decrypt.
 */
export function decryptFeishuPayload(encryptKey: string, encrypted: string): string {
  const key = createHash("sha256").update(encryptKey, "utf8").digest();
  const bytes = Buffer.from(encrypted, "base64");
  try {
    if (bytes.length < 32 || bytes.length % 16 !== 0) throw new Error("not whole AES blocks");
    const decipher = createDecipheriv("aes-256-cbc", key, bytes.subarray(0, 16));
    return Buffer.concat([decipher.update(bytes.subarray(16)), decipher.final()]).toString("utf8");
  } catch {
    throw new ZhikuError("unauthorized:payload", "The Feishu payload does not decrypt with the Encrypt Key");
  }
}

/** `X-Lark-Signature`: SHA-256, in hex, of the timestamp, the nonce, the Encrypt Key and the raw body. */
export function feishuSignature(options: {
  timestamp: string;
  nonce: string;
  encryptKey: string;
  body: string;
}): string {
  return createHash("sha256")
    .update(options.timestamp + options.nonce + options.encryptKey + options.body, "utf8")
    .digest("hex");
}

/**
 * Verifies a signed Feishu event delivery: `X-Lark-Request-Timestamp` (seconds) within the window, then
 * `X-Lark-Signature` over the raw body. Throws `unauthorized:stale_request` or `unauthorized:signature`.
 */
export function verifyFeishuRequest(options: {
  encryptKey: string;
  timestamp: string | undefined;
  nonce: string | undefined;
  signature: string | undefined;
  body: string;
  nowMs: number;
}): void {
  const timestamp = options.timestamp ?? "";
  requireFreshTimestamp({
    platform: "Feishu",
    timestampMs: /^\d+$/.test(timestamp) ? Number(timestamp) * 1000 : Number.NaN,
    windowMs: feishuTimestampWindowMs,
    nowMs: options.nowMs,
  });
  const expected = feishuSignature({
    timestamp,
    nonce: options.nonce ?? "",
    encryptKey: options.encryptKey,
    body: options.body,
  });
  if (!signaturesMatch(options.signature, expected)) throw badSignature("Feishu");
}
