import { createHash, randomBytes } from "node:crypto";

/** 32 random bytes as base64url (43 characters): session ids and the secret part of API keys. */
export function randomToken(): string {
  return randomBytes(32).toString("base64url");
}

/** SHA-256 of a token as hex: what the database stores instead of the token itself. */
export function sha256(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/** The prefix every API key starts with, so keys are recognisable (and findable by secret scanners). */
export const apiKeyPrefix = "zk_";

/** A new API key: `zk_` followed by 32 random bytes as base64url. */
export function newApiKey(): string {
  return `${apiKeyPrefix}${randomToken()}`;
}

/** The part of a key shown in lists after creation: the first 10 characters (`zk_` and 7 of the secret). */
export function displayPrefix(key: string): string {
  return key.slice(0, 10);
}
