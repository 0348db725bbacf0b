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
    relevanceCutoff: z.number().min(0).max(1).describe("Minimum relevance a passage needs to be used"),
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

/** A workspace as returned by the API. */
export const workspaceSchema = z.object({
  id: z.string(),
  slug: z.string(),
  name: z.string(),
  embedModel: z.string().nullable(),
  embedDimension: z.number().nullable(),
  settings: workspaceSettingsSchema,
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

/** A stored chunk and a search hit, declared once in the ingest package. */
export { chunkRecordSchema, searchResultSchema } from "@zhiku/ingest";

/** The health report. */
export const healthSchema = z.object({
  status: z.enum(["ok", "degraded"]),
  ollama: z.object({
    reachable: z.boolean(),
    chatModel: z.object({ name: z.string(), available: z.boolean() }),
    embedModel: z.object({ name: z.string(), available: z.boolean() }),
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
