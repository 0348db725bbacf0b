import { isIP } from "node:net";
import { isAbsolute, resolve } from "node:path";
import { z } from "zod";
import type { TrustProxy } from "./auth/trusted-proxy.js";

/** Log levels accepted by `LOG_LEVEL` (pino's names). */
export const logLevels = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;

/** The environment variables the server reads, with their defaults. */
const environmentSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65_535).default(3000),
  HOST: z.string().min(1).default("0.0.0.0"),
  DATA_DIR: z.string().min(1).default("./data"),
  OLLAMA_HOST: z.url({ protocol: /^https?$/ }).default("http://127.0.0.1:11434"),
  CHAT_MODEL: z.string().min(1).default("qwen2.5:7b"),
  EMBED_MODEL: z.string().min(1).default("bge-m3"),
  MAX_UPLOAD_MB: z.coerce.number().positive().max(10_240).default(50),
  INGEST_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  INGEST_WORKER_HEAP_MB: z.coerce.number().int().min(64).max(65_536).optional(),
  INGEST_STALL_TIMEOUT_S: z.coerce.number().int().min(1).max(86_400).optional(),
  LOG_LEVEL: z.enum(logLevels).default("info"),
  ADMIN_EMAIL: z.email().optional(),
  ADMIN_PASSWORD: z.string().min(8).max(1_024).optional(),
  URL_ALLOWLIST: z.string().optional(),
  SOURCE_FOLDER_ROOTS: z.string().optional(),
  FUSION_VECTOR_WEIGHT: z.coerce.number().min(0).max(1).optional(),
  RERANK_URL: z.url({ protocol: /^https?$/ }).optional(),
  RERANK_MODEL: z.string().min(1).max(200).optional(),
  RERANK_TIMEOUT_MS: z.coerce.number().int().min(50).max(120_000).default(3000),
  OCR_LANGUAGES: z
    .string()
    .regex(/^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/)
    .optional(),
  TRUST_PROXY: z.string().optional(),
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  BOT_EDIT_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).optional(),
  SECRET_KEY: z
    .string()
    .refine(
      (value) => decodeSecretKey(value) !== undefined,
      "must be 32 bytes written as 64 hexadecimal digits or as base64",
    )
    .optional(),
});

/** Examples shown in the fix-it message for a bad value. */
const examples: Record<keyof z.infer<typeof environmentSchema>, string> = {
  PORT: "a port number such as 3000",
  HOST: "an address to listen on such as 0.0.0.0 or 127.0.0.1",
  DATA_DIR: "a directory path such as ./data",
  OLLAMA_HOST: "a URL such as http://127.0.0.1:11434",
  CHAT_MODEL: "an Ollama model name such as qwen2.5:7b",
  EMBED_MODEL: "an Ollama embedding model name such as bge-m3",
  MAX_UPLOAD_MB: "a size in megabytes such as 50",
  INGEST_WORKERS: "a number of worker threads from 1 to 64, such as 1",
  INGEST_WORKER_HEAP_MB: "a heap size in megabytes from 64 to 65536, such as 1024",
  INGEST_STALL_TIMEOUT_S: "a number of seconds from 1 to 86400, such as 300",
  LOG_LEVEL: `one of ${logLevels.join(", ")}`,
  ADMIN_EMAIL: "the first admin's email address, such as admin@example.com (with ADMIN_PASSWORD)",
  ADMIN_PASSWORD: "a password of at least 8 characters (with ADMIN_EMAIL)",
  URL_ALLOWLIST: "comma-separated host names or CIDR ranges, such as intranet.example.com,10.0.0.0/8",
  SOURCE_FOLDER_ROOTS:
    "comma-separated absolute directories that folder sources may read, such as /srv/shared,/mnt/handbook",
  FUSION_VECTOR_WEIGHT: "a number from 0 (full-text ranking only) to 1 (vector ranking only), such as 0.5",
  RERANK_URL: "the base URL of a server with POST /v1/rerank, such as http://reranker:8080",
  RERANK_MODEL: "the reranker's model name, such as bge-reranker-v2-m3 (with RERANK_URL)",
  RERANK_TIMEOUT_MS: "milliseconds from 50 to 120000 to wait for the reranker, such as 3000",
  OCR_LANGUAGES:
    "Tesseract language names joined by +, such as chi_sim+eng (each needs its tesseract-ocr-* package)",
  TRUST_PROXY:
    "the number of reverse proxies in front of the server, such as 1, or their comma-separated addresses or CIDR ranges, such as 127.0.0.1,10.0.0.0/8",
  PUBLIC_URL: "the URL people open Zhiku at, such as https://zhiku.example.com",
  BOT_EDIT_INTERVAL_MS:
    "milliseconds from 0 to 60000 between two edits of a bot's streamed answer, such as 1000",
  SECRET_KEY:
    "a random 32-byte key, such as the output of `openssl rand -base64 32`, or unset to use DATA_DIR/secret.key",
};

/** `RERANK_MODEL` when `RERANK_URL` is set and it is not. */
export const DEFAULT_RERANK_MODEL = "bge-reranker-v2-m3";

/** The server's configuration, read once from the environment at start. */
export interface ServerConfig {
  /** Port to listen on (`PORT`). */
  port: number;
  /** Address to listen on (`HOST`). */
  host: string;
  /** Directory holding the database, vectors and originals (`DATA_DIR`). */
  dataDir: string;
  /** Base URL of Ollama (`OLLAMA_HOST`), without a trailing slash. */
  ollamaHost: string;
  /** Default chat model (`CHAT_MODEL`). */
  chatModel: string;
  /** Embedding model (`EMBED_MODEL`). */
  embedModel: string;
  /** Largest accepted upload per file, in bytes (`MAX_UPLOAD_MB`). */
  maxUploadBytes: number;
  /** Worker threads that ingest documents in the background (`INGEST_WORKERS`). */
  ingestWorkers: number;
  /**
   * Largest JavaScript heap of one parse worker, in megabytes (`INGEST_WORKER_HEAP_MB`): a file whose parsing needs
   * more stops only its own parse worker and fails alone; the server keeps running. The parse pool's default when
   * unset.
   */
  ingestWorkerHeapMb?: number;
  /**
   * Seconds a parse worker may go without reporting progress before it is stopped and its job retried
   * (`INGEST_STALL_TIMEOUT_S`). The parse pool's default when unset.
   */
  ingestStallTimeoutSeconds?: number;
  /** pino log level (`LOG_LEVEL`). */
  logLevel: (typeof logLevels)[number];
  /** The admin created at start when no user exists (`ADMIN_EMAIL` and `ADMIN_PASSWORD`, both or neither). */
  admin?: { email: string; password: string };
  /**
   * Hosts and address ranges URL ingestion may fetch although they are loopback, private or link-local
   * (`URL_ALLOWLIST`): exact host names (`wiki.internal`) or CIDR ranges (`10.0.0.0/8`, `127.0.0.1`).
   */
  urlAllowlist: string[];
  /**
   * Directories under which a folder source may read (`SOURCE_FOLDER_ROOTS`), absolute; empty: folder sources are off.
   * Local Git repositories (`file://` or a path) must be under them too.
   */
  sourceFolderRoots: string[];
  /**
   * Share of the vector ranking in hybrid search, the full-text ranking getting the rest (`FUSION_VECTOR_WEIGHT`);
   * unset means equal weights (bench/results/retrieval-experiments.md, "Fusion weights").
   */
  fusionVectorWeight?: number;
  /**
   * The reranking server search and chat use (`RERANK_URL`, `RERANK_MODEL` default {@link DEFAULT_RERANK_MODEL},
   * `RERANK_TIMEOUT_MS` default 3000); off when `RERANK_URL` is unset. A reranker that fails or takes longer than the
   * timeout leaves results in the fused order.
   */
  rerank?: { url: string; model: string; timeoutMs: number };
  /**
   * Tesseract languages OCR reads images and scanned PDF pages in (`OCR_LANGUAGES`, e.g. `chi_sim+eng`); unset means
   * the ingest package's default, `chi_sim+eng` (docs/ocr.md).
   */
  ocrLanguages?: string;
  /**
   * The reverse proxies whose `X-Forwarded-For`, `X-Forwarded-Proto` and `X-Forwarded-Host` are believed
   * (`TRUST_PROXY`): a hop count or their addresses and CIDR ranges. Unset (or 0): none, the socket's peer is the
   * client.
   */
  trustProxy?: TrustProxy;
  /** The URL people open Zhiku at (`PUBLIC_URL`), without a trailing slash, for links sent outside the browser. */
  publicUrl?: string;
  /**
   * Least time between two edits of a chat bot's answer as it streams into Slack or Feishu, in ms
   * (`BOT_EDIT_INTERVAL_MS`); the bots' default when unset (1000: Slack's chat.update allows about one a second).
   */
  botEditIntervalMs?: number;
  /**
   * The key that encrypts stored secrets such as chat bots' credentials (`SECRET_KEY`, 32 bytes). Unset: a key file
   * `secret.key` in `DATA_DIR`, made on first start.
   */
  secretKey?: Buffer;
}

/** A bad environment value; the message says which variable and how to fix it. */
export class EnvironmentError extends Error {
  /** Names of the variables with bad values. */
  readonly variables: string[];

  constructor(variables: string[], message: string) {
    super(message);
    this.name = "EnvironmentError";
    this.variables = variables;
  }
}

/**
 * Parses the server configuration from environment variables. Empty strings count as unset.
 * Throws {@link EnvironmentError} naming each bad variable, its value and what is expected.
 */
export function parseEnvironment(source: Record<string, string | undefined>): ServerConfig {
  const input: Record<string, string> = {};
  for (const name of Object.keys(environmentSchema.shape)) {
    const value = source[name]?.trim();
    if (value) input[name] = value;
  }
  const result = environmentSchema.safeParse(input);
  if (!result.success) {
    const lines: string[] = [];
    const variables: string[] = [];
    for (const issue of result.error.issues) {
      const name = String(issue.path[0]) as keyof typeof examples;
      variables.push(name);
      // A password is never echoed, not even a bad one.
      const shown =
        name === "ADMIN_PASSWORD" || name === "SECRET_KEY" ? "(hidden)" : JSON.stringify(input[name] ?? "");
      lines.push(
        `  ${name}=${shown} is not valid (${issue.message}); set it to ${examples[name]}, or unset it to use the default.`,
      );
    }
    return throwEnvironmentError(variables, lines);
  }
  const environment = result.data;
  if ((environment.ADMIN_EMAIL === undefined) !== (environment.ADMIN_PASSWORD === undefined)) {
    const missing = environment.ADMIN_EMAIL === undefined ? "ADMIN_EMAIL" : "ADMIN_PASSWORD";
    return throwEnvironmentError(
      [missing],
      [
        `  ${missing} is not set; set ADMIN_EMAIL and ADMIN_PASSWORD together, or neither (the first visitor then creates the admin).`,
      ],
    );
  }
  if (environment.RERANK_MODEL !== undefined && environment.RERANK_URL === undefined) {
    return throwEnvironmentError(
      ["RERANK_URL"],
      [
        `  RERANK_URL is not set although RERANK_MODEL=${JSON.stringify(environment.RERANK_MODEL)} is; set it to ${examples.RERANK_URL}, or unset RERANK_MODEL to leave reranking off.`,
      ],
    );
  }
  const urlAllowlist = (environment.URL_ALLOWLIST ?? "")
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const badEntry = urlAllowlist.find((entry) => !isAllowlistEntry(entry));
  if (badEntry !== undefined) {
    return throwEnvironmentError(
      ["URL_ALLOWLIST"],
      [
        `  URL_ALLOWLIST entry ${JSON.stringify(badEntry)} is not a host name, address or CIDR range; set it to ${examples.URL_ALLOWLIST}.`,
      ],
    );
  }
  const sourceFolderRoots = (environment.SOURCE_FOLDER_ROOTS ?? "")
    .split(",")
    .map((entry) => entry.trim())
    .filter(Boolean);
  const relativeRoot = sourceFolderRoots.find((entry) => !isAbsolute(entry));
  if (relativeRoot !== undefined) {
    return throwEnvironmentError(
      ["SOURCE_FOLDER_ROOTS"],
      [
        `  SOURCE_FOLDER_ROOTS entry ${JSON.stringify(relativeRoot)} is not an absolute path; set it to ${examples.SOURCE_FOLDER_ROOTS}.`,
      ],
    );
  }
  const trustProxy = parseTrustProxy(environment.TRUST_PROXY);
  const secretKey =
    environment.SECRET_KEY === undefined ? undefined : decodeSecretKey(environment.SECRET_KEY);
  return {
    port: environment.PORT,
    host: environment.HOST,
    dataDir: environment.DATA_DIR,
    ollamaHost: environment.OLLAMA_HOST.replace(/\/+$/, ""),
    chatModel: environment.CHAT_MODEL,
    embedModel: environment.EMBED_MODEL,
    maxUploadBytes: Math.floor(environment.MAX_UPLOAD_MB * 1024 * 1024),
    ingestWorkers: environment.INGEST_WORKERS,
    ...(environment.INGEST_WORKER_HEAP_MB === undefined
      ? {}
      : { ingestWorkerHeapMb: environment.INGEST_WORKER_HEAP_MB }),
    ...(environment.INGEST_STALL_TIMEOUT_S === undefined
      ? {}
      : { ingestStallTimeoutSeconds: environment.INGEST_STALL_TIMEOUT_S }),
    logLevel: environment.LOG_LEVEL,
    ...(environment.ADMIN_EMAIL && environment.ADMIN_PASSWORD
      ? { admin: { email: environment.ADMIN_EMAIL, password: environment.ADMIN_PASSWORD } }
      : {}),
    urlAllowlist,
    sourceFolderRoots: sourceFolderRoots.map((entry) => resolve(entry)),
    ...(environment.FUSION_VECTOR_WEIGHT === undefined
      ? {}
      : { fusionVectorWeight: environment.FUSION_VECTOR_WEIGHT }),
    ...(environment.RERANK_URL === undefined
      ? {}
      : {
          rerank: {
            url: environment.RERANK_URL.replace(/\/+$/, ""),
            model: environment.RERANK_MODEL ?? DEFAULT_RERANK_MODEL,
            timeoutMs: environment.RERANK_TIMEOUT_MS,
          },
        }),
    ...(environment.OCR_LANGUAGES === undefined ? {} : { ocrLanguages: environment.OCR_LANGUAGES }),
    ...(trustProxy === undefined ? {} : { trustProxy }),
    ...(environment.PUBLIC_URL === undefined
      ? {}
      : { publicUrl: environment.PUBLIC_URL.replace(/\/+$/, "") }),
    ...(environment.BOT_EDIT_INTERVAL_MS === undefined
      ? {}
      : { botEditIntervalMs: environment.BOT_EDIT_INTERVAL_MS }),
    ...(secretKey === undefined ? {} : { secretKey }),
  };
}

/** A 32-byte key from 64 hex digits or base64 (standard or URL-safe), or undefined when it is neither. */
export function decodeSecretKey(value: string): Buffer | undefined {
  if (/^[0-9a-fA-F]{64}$/.test(value)) return Buffer.from(value, "hex");
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(value)) return undefined;
  const bytes = Buffer.from(value.replace(/-/g, "+").replace(/_/g, "/"), "base64");
  return bytes.length === 32 ? bytes : undefined;
}

/** `TRUST_PROXY`: a hop count (0 or unset for none) or comma-separated addresses and CIDR ranges. */
function parseTrustProxy(value: string | undefined): TrustProxy | undefined {
  if (value === undefined) return undefined;
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops <= 32) return hops === 0 ? undefined : { hops };
    return throwEnvironmentError(
      ["TRUST_PROXY"],
      [
        `  TRUST_PROXY=${JSON.stringify(value)} is not a plausible number of proxies; set it to ${examples.TRUST_PROXY}.`,
      ],
    );
  }
  const addresses = value
    .split(",")
    .map((entry) => entry.trim().toLowerCase())
    .filter(Boolean);
  const badEntry = addresses.find(
    (entry) => !isAllowlistEntry(entry) || isIP(entry.split("/")[0] ?? "") === 0,
  );
  if (badEntry !== undefined || addresses.length === 0) {
    return throwEnvironmentError(
      ["TRUST_PROXY"],
      [
        `  TRUST_PROXY entry ${JSON.stringify(badEntry ?? value)} is not a hop count, address or CIDR range; set it to ${examples.TRUST_PROXY}.`,
      ],
    );
  }
  return { addresses };
}

/** A host name, an IPv4/IPv6 address, or an address with a `/prefix`. */
function isAllowlistEntry(entry: string): boolean {
  const [address = "", prefix, extra] = entry.split("/");
  if (extra !== undefined) return false;
  const version = isIP(address);
  if (prefix !== undefined) {
    const bits = Number(prefix);
    return version !== 0 && /^\d+$/.test(prefix) && bits <= (version === 4 ? 32 : 128);
  }
  return version !== 0 || /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(address);
}

function throwEnvironmentError(variables: string[], lines: string[]): never {
  throw new EnvironmentError(variables, `Invalid server configuration:\n${lines.join("\n")}`);
}
