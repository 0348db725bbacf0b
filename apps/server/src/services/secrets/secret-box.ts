import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { ZhikuError } from "@zhiku/ingest";
import { decodeSecretKey } from "../../env.js";

/** Name of the key file made in `DATA_DIR` when `SECRET_KEY` is not set. */
export const secretKeyFileName = "secret.key";

const version = "v1";
const ivBytes = 12;
const tagBytes = 16;

/**
 * Encrypts secrets for storage with AES-256-GCM. Each value gets a fresh 12-byte nonce and is bound to a context
 * (such as the row it belongs to), so a ciphertext copied into another row does not decrypt there.
 */
export class SecretBox {
  readonly #key: Buffer;

  /** @param key 32 bytes. */
  constructor(key: Buffer) {
    if (key.length !== 32) throw new Error("A secret box needs a 32-byte key");
    this.#key = key;
  }

  /** `v1:` and base64 of nonce, tag and ciphertext. */
  seal(plaintext: string, context: string): string {
    const iv = randomBytes(ivBytes);
    const cipher = createCipheriv("aes-256-gcm", this.#key, iv);
    cipher.setAAD(Buffer.from(context, "utf8"));
    const encrypted = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${version}:${Buffer.concat([iv, cipher.getAuthTag(), encrypted]).toString("base64")}`;
  }

  /** The plaintext of {@link seal}'s output; throws `unavailable:secret_key` when this key did not seal it. */
  open(sealed: string, context: string): string {
    const [prefix, payload = ""] = sealed.split(":", 2);
    const bytes = Buffer.from(payload, "base64");
    if (prefix !== version || bytes.length < ivBytes + tagBytes) {
      throw new ZhikuError("unavailable:secret_key", "A stored secret is not in a format this server reads");
    }
    try {
      const decipher = createDecipheriv("aes-256-gcm", this.#key, bytes.subarray(0, ivBytes));
      decipher.setAAD(Buffer.from(context, "utf8"));
      decipher.setAuthTag(bytes.subarray(ivBytes, ivBytes + tagBytes));
      return Buffer.concat([decipher.update(bytes.subarray(ivBytes + tagBytes)), decipher.final()]).toString(
        "utf8",
      );
    } catch {
      throw new ZhikuError(
        "unavailable:secret_key",
        "A stored secret cannot be decrypted with this server's key (SECRET_KEY or DATA_DIR/secret.key changed?)",
      );
    }
  }
}

/**
 * The key stored secrets are encrypted with: `SECRET_KEY` when set, else `DATA_DIR/secret.key`, made with 32
 * random bytes (mode 0600) on first start. A key file that is not a key is an error naming the file.
 */
export async function openSecretKey(options: {
  secretKey?: Buffer | undefined;
  dataDir: string;
}): Promise<Buffer> {
  if (options.secretKey) return options.secretKey;
  const file = join(options.dataDir, secretKeyFileName);
  try {
    // `wx`: two processes starting together cannot both write a key; the loser reads the winner's.
    await writeFile(file, `${randomBytes(32).toString("base64")}\n`, { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = decodeSecretKey((await readFile(file, "utf8")).trim());
  if (!key) {
    throw new ZhikuError(
      "invalid:secret_key",
      `${file} does not hold a 32-byte key in base64 or hex; restore it from a backup, or set SECRET_KEY`,
    );
  }
  return key;
}
