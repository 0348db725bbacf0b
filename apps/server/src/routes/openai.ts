import { randomUUID } from "node:crypto";
import { ZhikuError } from "@zhiku/ingest";
import { Hono } from "hono";
import { streamSSE } from "hono/streaming";
import { describeRoute } from "hono-openapi";
import { z } from "zod";
import type { Authenticated } from "../auth/index.js";
import type { AppDeps } from "../deps.js";
import { toOpenAiError } from "../errors.js";
import type { FinishReason, HistoryMessage } from "../services/chat/index.js";
import {
  createEmbeddingService,
  MAX_EMBEDDING_INPUTS,
  vectorToBase64,
} from "../services/embeddings/embedding-service.js";
import { limitJsonBodies, maxOpenAiBodyBytes } from "./body-limit.js";
import { abortAsError, requestAbort } from "./chat.js";
import { eventStreamResponse, jsonResponse } from "./schemas.js";
import { validate } from "./validation.js";

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().optional() });
const messageSchema = z.looseObject({
  role: z.enum(["system", "developer", "user", "assistant", "tool"]),
  content: z.union([z.string(), z.array(contentPartSchema), z.null()]).optional(),
});
const tokenCountSchema = z
  .number("expected a whole number of tokens")
  .int("expected a whole number of tokens")
  .min(1, "expected at least 1 token")
  .nullish();
const penaltySchema = z.number().min(-2).max(2).nullish();
/**
 * The request body. `max_completion_tokens` (or the older `max_tokens`) caps the answer. Fields of OpenAI's API that
 * Zhiku does not apply (`top_p`, penalties, `stop`, `seed`, `user`) are still checked as OpenAI checks them, so a client's bad value is an error, not silently taken.
 */
const completionBodySchema = z.looseObject({
  model: z.string().min(1, "model must name a workspace (its slug)"),
  messages: z.array(messageSchema).min(1, "messages must not be empty"),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  max_tokens: tokenCountSchema,
  max_completion_tokens: tokenCountSchema,
  top_p: z.number().min(0).max(1).nullish(),
  n: z.literal(1, "only n = 1 (one answer) is supported").nullish(),
  presence_penalty: penaltySchema,
  frequency_penalty: penaltySchema,
  stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  user: z.string().max(256).nullish(),
  /** Zhiku extension: answer only from documents (`query`) or also generally (`chat`, the default). */
  mode: z.enum(["chat", "query"]).optional(),
});

type CompletionMessage = z.infer<typeof messageSchema>;

function textOf(message: CompletionMessage): string {
  if (typeof message.content === "string") return message.content;
  if (!message.content) return "";
  return message.content
    .filter((part) => part.type === "text" && typeof part.text === "string")
    .map((part) => part.text)
    .join("\n");
}

/** Splits OpenAI messages into the question (the last user message), the turns before it and system instructions. */
function splitConversation(messages: CompletionMessage[]): {
  question: string;
  history: HistoryMessage[];
  instructions: string;
} {
  let lastUser = -1;
  for (let position = messages.length - 1; position >= 0; position -= 1) {
    if (messages[position]?.role === "user") {
      lastUser = position;
      break;
    }
  }
  const question = lastUser >= 0 ? textOf(messages[lastUser] as CompletionMessage).trim() : "";
  if (!question)
    throw new ZhikuError("invalid:messages", "messages: a user message with text content is required");
  const before = messages.slice(0, lastUser);
  const history: HistoryMessage[] = before
    .filter((message) => message.role === "user" || message.role === "assistant")
    .map((message) => ({ role: message.role as "user" | "assistant", content: textOf(message) }));
  const instructions = before
    .filter((message) => message.role === "system" || message.role === "developer")
    .map(textOf)
    .join("\n\n");
  return { question, history, instructions };
}

const embeddingBodySchema = z.looseObject({
  model: z.string().min(1, "model must name a workspace (its slug)"),
  input: z.union([
    z.string().min(1, "input must not be empty"),
    z
      .array(z.string().min(1, "input must not hold empty strings"))
      .min(1, "input must not be empty")
      .max(MAX_EMBEDDING_INPUTS, `input may hold at most ${MAX_EMBEDDING_INPUTS} texts`),
  ]),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  dimensions: z.int().positive().nullish(),
  user: z.string().nullish(),
});

const embeddingSchema = z.object({
  object: z.literal("embedding"),
  index: z.number(),
  embedding: z.union([z.array(z.number()), z.string()]),
});

const openAiErrorSchema = z.object({
  error: z.object({ message: z.string(), type: z.string(), code: z.string(), param: z.string().nullable() }),
});

const modelSchema = z.object({
  id: z.string(),
  object: z.literal("model"),
  created: z.number(),
  owned_by: z.string(),
});

/**
 * OpenAI-compatible API: `GET /models` lists each workspace as a model, `POST /chat/completions` answers from the
 * workspace named by `model`, streamed or not. Citations `[n]` stay in the text; the passages ride along as a
 * `sources` field (on the completion, or on the final chunk when streamed) that OpenAI clients ignore, with `rerank`
 * beside it when a reranker is configured.
 */
export function createOpenAiRoutes(deps: AppDeps) {
  const { kb, shutdownSignal } = deps;
  const { permissions } = deps.auth;
  const parts = deps.chat;
  const { chat } = parts;
  const openAiError = (description: string) => jsonResponse(description, openAiErrorSchema);
  const embeddings = createEmbeddingService({
    ollamaHost: deps.ollama.host,
    defaultModel: deps.config.embedModel,
  });
  // A workspace the caller may not see is answered exactly as one that does not exist.
  const requireModel = (auth: Authenticated, model: string) => {
    const workspace = kb.getWorkspace(model);
    if (!workspace || !permissions.roleIn(auth, workspace)) {
      throw new ZhikuError(
        "not_found:model",
        `The model "${model}" does not exist: use a workspace slug from GET /v1/models`,
      );
    }
    return workspace;
  };
  const toModel = (workspace: { slug: string; createdAt: string }) => ({
    id: workspace.slug,
    object: "model" as const,
    created: Math.floor(Date.parse(workspace.createdAt) / 1000),
    owned_by: "zhiku",
  });

  return new Hono()
    .onError((error, c) => {
      const { status, body } = toOpenAiError(abortAsError(error));
      return c.json(body, status);
    })
    .use(limitJsonBodies(maxOpenAiBodyBytes))
    .get(
      "/models",
      describeRoute({
        tags: ["OpenAI-compatible"],
        summary: "List the workspaces you may see as models (id = slug)",
        responses: {
          200: jsonResponse(
            "The models",
            z.object({ object: z.literal("list"), data: z.array(modelSchema) }),
          ),
        },
      }),
      (c) =>
        c.json(
          {
            object: "list" as const,
            data: permissions.visibleWorkspaces(c.get("auth")).map(({ workspace }) => toModel(workspace)),
          },
          200,
        ),
    )
    .get(
      "/models/:model",
      describeRoute({
        tags: ["OpenAI-compatible"],
        summary: "Read one model (workspace)",
        responses: { 200: jsonResponse("The model", modelSchema), 404: openAiError("No such workspace") },
      }),
      (c) => c.json(toModel(requireModel(c.get("auth"), c.req.param("model"))), 200),
    )
    .post(
      "/chat/completions",
      describeRoute({
        tags: ["OpenAI-compatible"],
        summary: "Answer from the workspace named by `model`, as OpenAI's chat completions API does",
        description:
          "The last user message is the question, earlier user and assistant messages the history, system messages extra " +
          "instructions. Streamed as `data: {chat.completion.chunk}` lines ending with `data: [DONE]` when `stream` is true. " +
          "Errors use OpenAI's shape {error: {message, type, code}}.",
        responses: {
          200: {
            description: "A chat.completion, or a stream of chat.completion.chunk",
            content: {
              ...jsonResponse("", z.looseObject({ object: z.literal("chat.completion") })).content,
              ...eventStreamResponse("").content,
            },
          },
          400: openAiError("Invalid request"),
          404: openAiError("No such workspace"),
          503: openAiError("Ollama is unreachable"),
        },
      }),
      validate("json", completionBodySchema),
      async (c) => {
        const body = c.req.valid("json");
        const workspace = requireModel(c.get("auth"), body.model);
        const { question, history, instructions } = splitConversation(body.messages);
        const abort = requestAbort({ request: c.req.raw, parts, shutdownSignal });
        const request = {
          workspace,
          message: question,
          history,
          instructions,
          mode: body.mode,
          persist: false,
          temperature: body.temperature ?? undefined,
          maxTokens: body.max_completion_tokens ?? body.max_tokens ?? undefined,
          signal: abort.controller.signal,
        };
        const id = `chatcmpl-${randomUUID()}`;
        const created = Math.floor(Date.now() / 1000);

        if (!body.stream) {
          try {
            const answer = await chat.answer(request);
            return c.json({
              id,
              object: "chat.completion" as const,
              created,
              model: workspace.slug,
              choices: [
                {
                  index: 0,
                  message: { role: "assistant" as const, content: answer.answer, refusal: null },
                  logprobs: null,
                  finish_reason: answer.finishReason,
                },
              ],
              usage: {
                prompt_tokens: answer.usage.promptTokens,
                completion_tokens: answer.usage.completionTokens,
                total_tokens: answer.usage.promptTokens + answer.usage.completionTokens,
              },
              sources: answer.sources,
              ...(answer.rerank === undefined ? {} : { rerank: answer.rerank }),
            });
          } finally {
            abort.dispose();
          }
        }

        const events = chat.stream(request);
        const first = await events.next().catch((error: unknown) => {
          abort.dispose();
          throw error;
        });
        const chunk = (
          delta: Record<string, unknown>,
          finishReason: FinishReason | null,
          extra: Record<string, unknown> = {},
        ) =>
          JSON.stringify({
            id,
            object: "chat.completion.chunk",
            created,
            model: workspace.slug,
            choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
            ...extra,
          });

        return streamSSE(c, async (stream) => {
          stream.onAbort(abort.abort);
          let sources: unknown[] = [];
          let rerank: Record<string, unknown> = {};
          try {
            await stream.writeSSE({ data: chunk({ role: "assistant", content: "" }, null) });
            for (let next = first; !next.done; next = await events.next()) {
              const event = next.value;
              if (event.type === "sources") {
                sources = event.sources;
                rerank = event.rerank === undefined ? {} : { rerank: event.rerank };
              } else if (event.type === "token")
                await stream.writeSSE({ data: chunk({ content: event.text }, null) });
              else {
                await stream.writeSSE({ data: chunk({}, event.finishReason, { sources, ...rerank }) });
                if (body.stream_options?.include_usage) {
                  await stream.writeSSE({
                    data: JSON.stringify({
                      id,
                      object: "chat.completion.chunk",
                      created,
                      model: workspace.slug,
                      choices: [],
                      usage: {
                        prompt_tokens: event.usage.promptTokens,
                        completion_tokens: event.usage.completionTokens,
                        total_tokens: event.usage.promptTokens + event.usage.completionTokens,
                      },
                    }),
                  });
                }
                await stream.writeSSE({ data: "[DONE]" });
              }
              if (stream.aborted) break;
            }
          } catch (error) {
            // OpenAI streams report a failure as a data line holding an `error` object, which the openai client
            // raises as an APIError; streamSSE's own onError would add a plain-text `event: error` it cannot parse.
            if (!stream.aborted && !abort.controller.signal.aborted) {
              await stream.writeSSE({ data: JSON.stringify(toOpenAiError(abortAsError(error)).body) });
            }
          } finally {
            await events.return(undefined);
            abort.dispose();
          }
        });
      },
    )
    .post(
      "/embeddings",
      describeRoute({
        tags: ["OpenAI-compatible"],
        summary: "Embed texts with the embedding model of the workspace named by `model`",
        responses: {
          200: jsonResponse(
            "One embedding per input, in order",
            z.object({
              object: z.literal("list"),
              data: z.array(embeddingSchema),
              model: z.string(),
              usage: z.object({ prompt_tokens: z.number(), total_tokens: z.number() }),
            }),
          ),
          400: openAiError("Invalid input, encoding_format or dimensions"),
          404: openAiError("No such workspace"),
          503: openAiError("Ollama is unreachable"),
        },
      }),
      validate("json", embeddingBodySchema),
      async (c) => {
        const body = c.req.valid("json");
        const workspace = requireModel(c.get("auth"), body.model);
        const texts = typeof body.input === "string" ? [body.input] : body.input;
        const { model, vectors, promptTokens } = await embeddings.embed(workspace, texts, c.req.raw.signal);
        const dimension = vectors[0]?.length ?? 0;
        if (body.dimensions != null && body.dimensions !== dimension) {
          throw new ZhikuError(
            "invalid:dimensions",
            `dimensions: ${model} makes vectors of ${dimension} dimensions; leave dimensions out or send ${dimension}`,
          );
        }
        const base64 = body.encoding_format === "base64";
        return c.json(
          {
            object: "list" as const,
            data: vectors.map((vector, index) => ({
              object: "embedding" as const,
              index,
              embedding: base64 ? vectorToBase64(vector) : vector,
            })),
            model,
            usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
          },
          200,
        );
      },
    );
}
