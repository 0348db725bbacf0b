import { hash, verify } from "@node-rs/argon2";

/** Shortest accepted password: long enough to resist guessing with the login throttle in front. */
export const minimumPasswordLength = 8;

/** Longest accepted password; argon2 takes any length, this keeps request bodies and hashing time bounded. */
export const maximumPasswordLength = 1_024;

/**
 * Hashes a password with argon2id (OWASP's recommended settings: 19 MiB, 2 passes, 1 lane). The result is a PHC
 * string carrying its own salt and parameters, so the settings can change later without breaking stored hashes.
 */
export function hashPassword(password: string): Promise<string> {
  // argon2id is the library's default algorithm (its `Algorithm` is a const enum, which isolated modules cannot read).
  return hash(password, { memoryCost: 19_456, timeCost: 2, parallelism: 1 });
}

/** True when `password` matches a hash from {@link hashPassword}; false for a malformed hash. */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

// Verified against when an email is unknown, so a failed login costs the same whether or not the account exists.
let decoyHash: Promise<string> | undefined;

/** A hash of a random password, computed once, for constant-work failed logins. */
export function decoyPasswordHash(): Promise<string> {
  decoyHash ??= hashPassword(`decoy-${Math.random()}-${Date.now()}`);
  return decoyHash;
}
