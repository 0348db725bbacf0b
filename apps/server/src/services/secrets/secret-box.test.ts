import { randomBytes } from "node:crypto";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { openSecretKey, SecretBox, secretKeyFileName } from "./secret-box.js";

describe("SecretBox", () => {
  it("seals to ciphertext that does not contain the secret and opens it again", () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal("xoxb-very-secret-token", "integration:1");
    expect(sealed).toMatch(/^v1:/);
    expect(sealed).not.toContain("very-secret");
    expect(box.seal("xoxb-very-secret-token", "integration:1")).not.toBe(sealed);
    expect(box.open(sealed, "integration:1")).toBe("xoxb-very-secret-token");
  });

  it("refuses another key, another context and a tampered ciphertext", () => {
    const box = new SecretBox(randomBytes(32));
    const sealed = box.seal("secret", "integration:1");
    expect(() => new SecretBox(randomBytes(32)).open(sealed, "integration:1")).toThrow(/cannot be decrypted/);
    expect(() => box.open(sealed, "integration:2")).toThrow(/cannot be decrypted/);
    const bytes = Buffer.from(sealed.slice(3), "base64");
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 1;
    expect(() => box.open(`v1:${bytes.toString("base64")}`, "integration:1")).toThrow(/cannot be decrypted/);
    expect(() => box.open("plain", "integration:1")).toThrow(/not in a format/);
  });
});

describe("openSecretKey", () => {
  it("uses SECRET_KEY when given, else makes DATA_DIR/secret.key once (mode 0600) and reads it back", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "zhiku-secret-key-"));
    try {
      const given = randomBytes(32);
      expect(await openSecretKey({ secretKey: given, dataDir })).toEqual(given);
      const made = await openSecretKey({ dataDir });
      expect(made).toHaveLength(32);
      const file = join(dataDir, secretKeyFileName);
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      expect(await openSecretKey({ dataDir })).toEqual(made);
      expect((await readFile(file, "utf8")).trim()).toBe(made.toString("base64"));
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it("names a key file that holds no key", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "zhiku-secret-key-"));
    try {
      await writeFile(join(dataDir, secretKeyFileName), "not a key\n");
      await expect(openSecretKey({ dataDir })).rejects.toThrow(/secret\.key does not hold a 32-byte key/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
