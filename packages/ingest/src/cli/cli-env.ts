import { z } from "zod";
import type { KnowledgeBaseSettings } from "../knowledge-base-options.js";

const cliEnvSchema = z.object({
  DATA_DIR: z.string().min(1).default("./data"),
  OLLAMA_HOST: z
    .url({ message: "must be a URL such as http://127.0.0.1:11434" })
    .default("http://127.0.0.1:11434"),
  EMBED_MODEL: z.string().min(1).default("bge-m3"),
  MAX_UPLOAD_MB: z.coerce.number({ message: "must be a number of megabytes" }).positive().default(50),
  FUSION_VECTOR_WEIGHT: z.coerce
    .number({ message: "must be a number from 0 to 1" })
    .min(0, { message: "must be a number from 0 to 1" })
    .max(1, { message: "must be a number from 0 to 1" })
    .optional(),
  RERANK_URL: z
    .url({ protocol: /^https?$/, message: "must be a URL such as http://reranker:8080" })
    .optional(),
  RERANK_MODEL: z.string().min(1).default("bge-reranker-v2-m3"),
  RERANK_TIMEOUT_MS: z.coerce
    .number({ message: "must be a number of milliseconds from 50 to 120000" })
    .int({ message: "must be a number of milliseconds from 50 to 120000" })
    .min(50, { message: "must be a number of milliseconds from 50 to 120000" })
    .max(120_000, { message: "must be a number of milliseconds from 50 to 120000" })
    .default(3000),
  OCR_LANGUAGES: z
    .string()
    .regex(/^[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*$/, {
      message: "must be Tesseract language names joined by +, such as chi_sim+eng",
    })
    .optional(),
});

/** Settings the CLI reads from the environment, with the same names and defaults as the server. */
export type CliEnv = z.infer<typeof cliEnvSchema>;

/**
 * Reads the CLI's settings from `source` (normally `process.env`).
 * @throws Error naming each bad variable and what it must be.
 */
export function parseCliEnv(source: Record<string, string | undefined>): CliEnv {
  const result = cliEnvSchema.safeParse(
    Object.fromEntries(Object.entries(source).filter(([, value]) => value !== undefined && value !== "")),
  );
  if (result.success) return result.data;
  const problems = result.error.issues
    .map((issue) => `  ${issue.path.join(".")}: ${issue.message}`)
    .join("\n");
  throw new Error(`Invalid environment:\n${problems}`);
}

/** The knowledge base settings among the CLI's (for `knowledgeBaseOptionsFrom`). */
export function knowledgeBaseSettingsOf(env: CliEnv): KnowledgeBaseSettings {
  return {
    dataDir: env.DATA_DIR,
    ollamaHost: env.OLLAMA_HOST,
    embedModel: env.EMBED_MODEL,
    ...(env.FUSION_VECTOR_WEIGHT === undefined ? {} : { fusionVectorWeight: env.FUSION_VECTOR_WEIGHT }),
    ...(env.RERANK_URL === undefined
      ? {}
      : { rerank: { url: env.RERANK_URL, model: env.RERANK_MODEL, timeoutMs: env.RERANK_TIMEOUT_MS } }),
    ...(env.OCR_LANGUAGES === undefined ? {} : { ocrLanguages: env.OCR_LANGUAGES }),
  };
}
