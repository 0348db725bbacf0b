import { describe, expect, it } from "vitest";
import { EnvironmentError, parseEnvironment } from "./env.js";

describe("parseEnvironment", () => {
  it("applies the defaults", () => {
    expect(parseEnvironment({})).toEqual({
      port: 3000,
      host: "0.0.0.0",
      dataDir: "./data",
      ollamaHost: "http://127.0.0.1:11434",
      chatModel: "qwen2.5:7b",
      embedModel: "bge-m3",
      maxUploadBytes: 50 * 1024 * 1024,
      ingestWorkers: 1,
      logLevel: "info",
      urlAllowlist: [],
      sourceFolderRoots: [],
    });
  });

  it("reads and coerces every variable; empty values count as unset", () => {
    const config = parseEnvironment({
      PORT: "8080",
      HOST: "127.0.0.1",
      DATA_DIR: "/srv/zhiku",
      OLLAMA_HOST: "http://ollama:11434/",
      CHAT_MODEL: "qwen2.5:14b",
      EMBED_MODEL: "nomic-embed-text",
      MAX_UPLOAD_MB: "2.5",
      INGEST_WORKERS: "3",
      LOG_LEVEL: "",
    });
    expect(config).toEqual({
      port: 8080,
      host: "127.0.0.1",
      dataDir: "/srv/zhiku",
      ollamaHost: "http://ollama:11434",
      chatModel: "qwen2.5:14b",
      embedModel: "nomic-embed-text",
      maxUploadBytes: 2.5 * 1024 * 1024,
      ingestWorkers: 3,
      logLevel: "info",
      urlAllowlist: [],
      sourceFolderRoots: [],
    });
  });

  it("names each bad variable with its value and a fix", () => {
    let caught: unknown;
    try {
      parseEnvironment({
        PORT: "eighty",
        OLLAMA_HOST: "localhost:11434",
        LOG_LEVEL: "loud",
        INGEST_WORKERS: "0",
      });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvironmentError);
    const error = caught as EnvironmentError;
    expect(error.variables.sort()).toEqual(["INGEST_WORKERS", "LOG_LEVEL", "OLLAMA_HOST", "PORT"]);
    expect(error.message).toContain('PORT="eighty" is not valid');
    expect(error.message).toContain("set it to a port number such as 3000");
    expect(error.message).toContain('OLLAMA_HOST="localhost:11434" is not valid');
    expect(error.message).toContain("a URL such as http://127.0.0.1:11434");
    expect(error.message).toContain('LOG_LEVEL="loud"');
  });

  it("reads BOT_EDIT_INTERVAL_MS as whole milliseconds up to a minute", () => {
    expect(parseEnvironment({ BOT_EDIT_INTERVAL_MS: "0" }).botEditIntervalMs).toBe(0);
    expect(parseEnvironment({ BOT_EDIT_INTERVAL_MS: "1500" }).botEditIntervalMs).toBe(1500);
    expect(() => parseEnvironment({ BOT_EDIT_INTERVAL_MS: "-5" })).toThrow(
      /BOT_EDIT_INTERVAL_MS="-5" is not valid/,
    );
  });

  it("rejects a non-positive upload limit", () => {
    expect(() => parseEnvironment({ MAX_UPLOAD_MB: "-1" })).toThrow(/MAX_UPLOAD_MB="-1" is not valid/);
  });

  it("reads ADMIN_EMAIL and ADMIN_PASSWORD together, never echoing the password", () => {
    expect(
      parseEnvironment({ ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD: "s3cret-enough" }).admin,
    ).toEqual({
      email: "ops@example.com",
      password: "s3cret-enough",
    });
    expect(() => parseEnvironment({ ADMIN_EMAIL: "ops@example.com" })).toThrow(/ADMIN_PASSWORD is not set/);
    expect(() => parseEnvironment({ ADMIN_PASSWORD: "s3cret-enough" })).toThrow(/ADMIN_EMAIL is not set/);
    expect(() => parseEnvironment({ ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD: "short!" })).toThrow(
      /ADMIN_PASSWORD=\(hidden\) is not valid/,
    );
    expect(() => parseEnvironment({ ADMIN_EMAIL: "ops@example.com", ADMIN_PASSWORD: "short!" })).not.toThrow(
      /short!/,
    );
  });

  it("reads FUSION_VECTOR_WEIGHT as a share from 0 to 1", () => {
    expect(parseEnvironment({ FUSION_VECTOR_WEIGHT: "0.3" }).fusionVectorWeight).toBe(0.3);
    expect(() => parseEnvironment({ FUSION_VECTOR_WEIGHT: "1.5" })).toThrow(/FUSION_VECTOR_WEIGHT="1.5"/);
    expect(() => parseEnvironment({ FUSION_VECTOR_WEIGHT: "lots" })).toThrow(/FUSION_VECTOR_WEIGHT/);
  });

  it("turns reranking on with RERANK_URL, defaulting RERANK_MODEL and RERANK_TIMEOUT_MS", () => {
    expect(parseEnvironment({}).rerank).toBeUndefined();
    expect(parseEnvironment({ RERANK_TIMEOUT_MS: "500" }).rerank).toBeUndefined();
    expect(parseEnvironment({ RERANK_URL: "http://reranker:8080/" }).rerank).toEqual({
      url: "http://reranker:8080",
      model: "bge-reranker-v2-m3",
      timeoutMs: 3000,
    });
    expect(
      parseEnvironment({
        RERANK_URL: "https://rerank.internal",
        RERANK_MODEL: "jina-reranker-v2-base-multilingual",
        RERANK_TIMEOUT_MS: "1500",
      }).rerank,
    ).toEqual({
      url: "https://rerank.internal",
      model: "jina-reranker-v2-base-multilingual",
      timeoutMs: 1500,
    });
  });

  it("names the reranker variable that is wrong", () => {
    expect(() => parseEnvironment({ RERANK_URL: "reranker:8080" })).toThrow(
      /RERANK_URL="reranker:8080" is not valid .*set it to the base URL of a server with POST \/v1\/rerank/,
    );
    expect(() => parseEnvironment({ RERANK_URL: "ftp://reranker" })).toThrow(/RERANK_URL="ftp:\/\/reranker"/);
    for (const value of ["soon", "0", "1.5", "999999"]) {
      expect(() =>
        parseEnvironment({ RERANK_URL: "http://reranker:8080", RERANK_TIMEOUT_MS: value }),
      ).toThrow(`RERANK_TIMEOUT_MS=${JSON.stringify(value)} is not valid`);
    }
    let caught: unknown;
    try {
      parseEnvironment({ RERANK_MODEL: "bge-reranker-v2-m3" });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(EnvironmentError);
    expect((caught as EnvironmentError).variables).toEqual(["RERANK_URL"]);
    expect((caught as EnvironmentError).message).toContain(
      'RERANK_URL is not set although RERANK_MODEL="bge-reranker-v2-m3" is',
    );
  });

  it("reads OCR_LANGUAGES as Tesseract languages joined by +, unset by default", () => {
    expect(parseEnvironment({}).ocrLanguages).toBeUndefined();
    expect(parseEnvironment({ OCR_LANGUAGES: "chi_sim+chi_tra+eng" }).ocrLanguages).toBe(
      "chi_sim+chi_tra+eng",
    );
    expect(() => parseEnvironment({ OCR_LANGUAGES: "chi_sim, eng" })).toThrow(/OCR_LANGUAGES.*chi_sim\+eng/s);
  });

  it("reads INGEST_STALL_TIMEOUT_S as whole seconds, unset by default", () => {
    expect(parseEnvironment({}).ingestStallTimeoutSeconds).toBeUndefined();
    expect(parseEnvironment({ INGEST_STALL_TIMEOUT_S: "90" }).ingestStallTimeoutSeconds).toBe(90);
    expect(() => parseEnvironment({ INGEST_STALL_TIMEOUT_S: "0" })).toThrow(/INGEST_STALL_TIMEOUT_S="0"/);
    expect(() => parseEnvironment({ INGEST_STALL_TIMEOUT_S: "soon" })).toThrow(/INGEST_STALL_TIMEOUT_S/);
  });

  it("parses URL_ALLOWLIST into host names and CIDR ranges", () => {
    expect(
      parseEnvironment({ URL_ALLOWLIST: " Wiki.Internal , 10.0.0.0/8,127.0.0.1,fd00::/8" }).urlAllowlist,
    ).toEqual(["wiki.internal", "10.0.0.0/8", "127.0.0.1", "fd00::/8"]);
    expect(() => parseEnvironment({ URL_ALLOWLIST: "10.0.0.0/40" })).toThrow(
      /URL_ALLOWLIST entry "10.0.0.0\/40"/,
    );
    expect(() => parseEnvironment({ URL_ALLOWLIST: "http://x" })).toThrow(/URL_ALLOWLIST/);
  });

  it("reads SOURCE_FOLDER_ROOTS as absolute directories and refuses a relative one", () => {
    expect(
      parseEnvironment({ SOURCE_FOLDER_ROOTS: " /srv/shared/ , /mnt/handbook" }).sourceFolderRoots,
    ).toEqual(["/srv/shared", "/mnt/handbook"]);
    expect(() => parseEnvironment({ SOURCE_FOLDER_ROOTS: "/srv/shared,docs" })).toThrow(
      /SOURCE_FOLDER_ROOTS entry "docs" is not an absolute path/,
    );
  });

  it("reads TRUST_PROXY as a hop count or addresses and CIDR ranges, and names it when it is wrong", () => {
    expect(parseEnvironment({ TRUST_PROXY: "2" }).trustProxy).toEqual({ hops: 2 });
    expect(parseEnvironment({ TRUST_PROXY: "0" }).trustProxy).toBeUndefined();
    expect(parseEnvironment({ TRUST_PROXY: " 127.0.0.1, 10.0.0.0/8 ,::1" }).trustProxy).toEqual({
      addresses: ["127.0.0.1", "10.0.0.0/8", "::1"],
    });
    for (const value of ["proxy.internal", "10.0.0.0/33", "yes", "1000"]) {
      let caught: unknown;
      try {
        parseEnvironment({ TRUST_PROXY: value });
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(EnvironmentError);
      expect((caught as EnvironmentError).variables).toEqual(["TRUST_PROXY"]);
      expect((caught as EnvironmentError).message).toContain("TRUST_PROXY");
    }
  });

  it("reads SECRET_KEY as 32 bytes in hex or base64, never echoing a bad one", () => {
    const key = Buffer.alloc(32, 7);
    expect(parseEnvironment({ SECRET_KEY: key.toString("hex") }).secretKey).toEqual(key);
    expect(parseEnvironment({ SECRET_KEY: key.toString("base64") }).secretKey).toEqual(key);
    expect(parseEnvironment({ SECRET_KEY: key.toString("base64url") }).secretKey).toEqual(key);
    expect(parseEnvironment({}).secretKey).toBeUndefined();
    for (const value of [
      "too-short",
      Buffer.alloc(16, 1).toString("hex"),
      Buffer.alloc(33, 1).toString("base64"),
    ]) {
      expect(() => parseEnvironment({ SECRET_KEY: value })).toThrow(/SECRET_KEY=\(hidden\) is not valid/);
      expect(() => parseEnvironment({ SECRET_KEY: value })).not.toThrow(value);
    }
  });
});
