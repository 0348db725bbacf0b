import { resolver } from "hono-openapi";
import { z } from "zod";

/** Settings a workspace may override; every field optional. */
export const workspaceSettingsSchema = z
  .object({
    chatModel: z.string().min(1).max(200).describe("Ollama chat model, overriding CHAT_MODEL"),
    topK: z.int().min(1).max(50).describe("Passages retrieved per question"),
    mode: z.enum(["hybrid", "vector", "fulltext"]).describe("Default search mode for chat retrieval"),
    systemPrompt: z.string().max(20_000).describe("Extra system prompt text"),
    temperature: z.number().min(0).max(2).describe("Sampling temperature"),
    relevanceCutoff: z
      .number()
      .min(0)
      .max(1)
      .describe(
        "Minimum cosine similarity a passage needs to be used, overriding the calibrated cut-off (0 turns refusal off)",
      ),
  })
  .partial()
  .strict();

/** The error body of every failed request. */
export const errorSchema = z.object({
  error: z.object({
    code: z.string().describe("Stable code such as not_found:workspace"),
    message: z.string(),
    file: z.string().optional().describe("The uploaded file the error is about (too_large:file)"),
  }),
});

/** The error body of every failed request; see {@link errorSchema}. */
export type ErrorBody = z.infer<typeof errorSchema>;

const scoreDistributionSchema = z.object({
  count: z.number(),
  mean: z.number(),
  sd: z.number(),
  median: z.number(),
  robustSd: z.number().describe("1.4826 × the median absolute deviation"),
  p90: z.number(),
  max: z.number(),
});

/** The refusal cut-offs in force for a workspace and where they come from. */
export const refusalSchema = z
  .object({
    cutoff: z
      .number()
      .describe("Least cosine similarity a passage needs, unless full text matched it strongly"),
    fullTextCutoff: z
      .number()
      .nullable()
      .describe("Least BM25 of a strong full-text match; null without a calibration"),
    source: z
      .enum(["calibrated", "manual", "default"])
      .describe("Measured for the embedding model, the relevanceCutoff setting, or the built-in default"),
    calibration: z
      .object({
        model: z.string().describe("The embedding model measured"),
        chunks: z.number().describe("Chunks in the workspace when measured"),
        probes: z.number().describe("Off-topic probe questions asked"),
        pairs: z.number().describe("Probe–passage pairs compared"),
        vector: scoreDistributionSchema.describe("Best cosine per probe"),
        fullText: scoreDistributionSchema.describe("Best BM25 per probe"),
        measuredAt: z.string(),
      })
      .nullable()
      .describe("What off-topic questions score in this workspace, when measured for its embedding model"),
  })
  .describe("How query mode decides a passage is relevant enough to answer from");

/** A workspace as returned by the API. */
export const workspaceSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  embedModel: z.string().nullable(),
  embedDimension: z.number().nullable(),
  settings: workspaceSettingsSchema,
  refusal: refusalSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  myRole: z.enum(["owner", "editor", "viewer"]).describe("The caller's role here (admins: owner)"),
});

/** A user account as returned by the API. */
export const userSchema = z.object({
  id: z.string(),
  email: z.string(),
  role: z.enum(["admin", "member"]),
  createdAt: z.string(),
});

/** Lifecycle of a document. */
export const documentStatusSchema = z.enum(["queued", "processing", "ready", "failed"]);

/** A document as returned by the API. */
export const documentSchema = z.object({
  id: z.string(),
  workspaceId: z.string(),
  name: z.string(),
  type: z.string().nullable(),
  bytes: z.number(),
  contentHash: z.string().nullable(),
  status: documentStatusSchema,
  error: z.string().nullable(),
  errorCode: z
    .string()
    .nullable()
    .optional()
    .describe(
      "The code of `error` (invalid:encrypted, unsupported:type, unavailable:ollama, ...) when ingestion recorded one; in lists",
    ),
  chunks: z.number(),
  title: z.string().nullable(),
  byline: z.string().nullable(),
  pages: z.number().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

/** The short form of a document returned by uploads. */
export const queuedDocumentSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: documentStatusSchema,
});

/** A document's text rebuilt from its chunks, with each chunk's place in it (the document viewer). */
export const documentTextSchema = z.object({
  document: documentSchema,
  text: z
    .string()
    .describe("The document's text as its chunks hold it; a gap between chunks is a paragraph break"),
  chunks: z.array(
    z.object({
      chunkId: z.string(),
      index: z.number().describe("Position of the chunk in its document, from 0"),
      start: z.number().describe("Offset of the chunk's first character in `text`"),
      end: z.number().describe("Offset one past the chunk's last character in `text`"),
      headings: z
        .array(z.string())
        .describe("Heading path of the section the chunk starts in, outermost first"),
      page: z
        .number()
        .nullable()
        .describe("1-based page the chunk starts on, for paged formats (PDF); else null"),
    }),
  ),
});

/** A stored chunk, a search hit and what reranking did to a search, declared once in the ingest package. */
export { chunkRecordSchema, rerankSummarySchema, searchResultSchema } from "@zhiku/ingest";

/** The health report. */
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  ollama: z.object({
    reachable: z.boolean(),
    chatModel: z.object({ name: z.string(), available: z.boolean() }),
    embedModel: z.object({ name: z.string(), available: z.boolean() }),
    /** When Ollama was asked (ISO 8601); polls within a few seconds share one answer. */
    checkedAt: z.string(),
  }),
  /** Configured models Ollama answers it does not have (empty while Ollama cannot be reached). */
  missingModels: z.array(z.string()),
});

/** An OpenAPI response with a JSON body described by `schema`. */
export function jsonResponse(description: string, schema: z.ZodType) {
  return { description, content: { "application/json": { schema: resolver(schema) } } };
}

/** An OpenAPI error response. */
export function errorResponse(description: string) {
  return jsonResponse(description, errorSchema);
}

/** An OpenAPI response that is a stream of server-sent events. */
export function eventStreamResponse(description: string) {
  return { description, content: { "text/event-stream": { schema: { type: "string" as const } } } };
}
