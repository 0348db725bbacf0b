import { decrypt, getSignature } from "@wecom/crypto";
import { ZhikuError } from "@zhiku/ingest";
import { badSignature, requireFreshTimestamp, signaturesMatch } from "../verify.js";

/**
 * How far a WeCom callback's timestamp may be from now. WeCom documents no window; it retries within seconds, so
 * five minutes refuses replays and passes every real retry.
 */
export const wecomTimestampWindowMs = 5 * 60 * 1000;

/** The query WeCom signs a callback with. */
export interface WecomSignedQuery {
  msgSignature: string | undefined;
  timestamp: string | undefined;
  nonce: string | undefined;
}

/**
 * Verifies a WeCom callback and decrypts its ciphertext (the URL check's `echostr`, or a message's `Encrypt`):
 * `msg_signature` is the SHA-1 of token, timestamp, nonce and ciphertext sorted and joined; the ciphertext is
 * AES-256-CBC under the EncodingAESKey (IV its first 16 bytes), holding 16 random bytes, the message length, the
 * message and the receiver id, which must be the corp id. Decryption is WeCom's own `@wecom/crypto`.
 */
export function openWecomCiphertext(options: {
  query: WecomSignedQuery;
  ciphertext: string;
  token: string;
  encodingAesKey: string;
  corpId: string;
  nowMs: number;
}): string {
  const { query } = options;
  const timestamp = query.timestamp ?? "";
  requireFreshTimestamp({
    platform: "WeCom",
    timestampMs: /^\d+$/.test(timestamp) ? Number(timestamp) * 1000 : Number.NaN,
    windowMs: wecomTimestampWindowMs,
    nowMs: options.nowMs,
  });
  const expected = getSignature(options.token, timestamp, query.nonce ?? "", options.ciphertext);
  if (!signaturesMatch(query.msgSignature, expected)) throw badSignature("WeCom");
  let opened: { message: string; id: string };
  try {
    opened = decrypt(options.encodingAesKey, options.ciphertext);
  } catch {
    throw new ZhikuError(
      "unauthorized:payload",
      "The WeCom payload does not decrypt with the EncodingAESKey",
    );
  }
  if (opened.id !== options.corpId) {
    throw new ZhikuError("unauthorized:payload", "The WeCom payload is for another corp id");
  }
  return opened.message;
}

/**
 * The fields of a flat WeCom XML document (`<xml><ToUserName><![CDATA[…]]></ToUserName><CreateTime>1</CreateTime>…`).
 * WeCom's callbacks are one level deep, so no XML parser is needed; nested elements are not read.
 */
export function readWecomXml(xml: string): Record<string, string> {
  const fields: Record<string, string> = {};
  const pattern = /<([A-Za-z][\w]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<]*))<\/\1>/g;
  for (const match of xml.matchAll(pattern)) {
    const name = match[1] ?? "";
    if (name !== "xml" && !(name in fields)) fields[name] = match[2] ?? decodeEntities(match[3] ?? "");
  }
  return fields;
}

function decodeEntities(text: string): string {
  return text
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, "&");
}
