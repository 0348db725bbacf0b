import type { Ollama } from "ollama";
import { isAbortError } from "./ollama-error.js";
import type { HistoryMessage } from "./types.js";

/** Options for {@link rewriteQuery}. */
export interface RewriteQueryOptions {
  /** The request's Ollama client. */
  client: Ollama;
  /** Chat model to ask. */
  model: string;
  /** Context size to run the model with; the same as the answer's so Ollama does not reload the model. */
  numCtx: number;
  /** Earlier turns, oldest first; only the last few are used. */
  history: HistoryMessage[];
  /** The follow-up question. */
  question: string;
}

/** Turns of history shown to the rewriter. */
const historyTurns = 6;
/** A long earlier answer adds little to resolving "it" or "that": keep its start. */
const maximumTurnCharacters = 600;

const rewriteInstructions = [
  "You rewrite a follow-up question into a standalone search query.",
  "Use the conversation to resolve pronouns and references (it, that, 它, 这个) so the query makes sense on its own.",
  "Keep the language of the follow-up question. Do not answer it.",
  "Reply with the query only: one line, no quotes, no explanation.",
].join("\n");

/**
 * Rewrites a follow-up question into a standalone search query from the conversation, with one short non-streamed
 * call. Returns the question unchanged when there is no history, and falls back to it when the call fails or gives
 * nothing usable: retrieval with the raw question is worse but still works. An abort is rethrown.
 */
export async function rewriteQuery(options: RewriteQueryOptions): Promise<string> {
  if (options.history.length === 0) return options.question;
  const conversation = options.history
    .slice(-historyTurns)
    .map((message) => {
      const text =
        message.content.length > maximumTurnCharacters
          ? `${message.content.slice(0, maximumTurnCharacters)}…`
          : message.content;
      return `${message.role === "user" ? "User" : "Assistant"}: ${text}`;
    })
    .join("\n");
  try {
    const response = await options.client.chat({
      model: options.model,
      stream: false,
      messages: [
        { role: "system", content: rewriteInstructions },
        {
          role: "user",
          content: `Conversation:\n${conversation}\n\nFollow-up question: ${options.question}\n\nStandalone query:`,
        },
      ],
      options: { num_ctx: options.numCtx, temperature: 0, num_predict: 128 },
    });
    return cleanRewrite(response.message?.content ?? "") ?? options.question;
  } catch (error) {
    if (isAbortError(error)) throw error;
    return options.question;
  }
}

/** The first meaningful line of the model's reply, without reasoning blocks, labels or quotes; undefined if none. */
export function cleanRewrite(reply: string): string | undefined {
  const withoutThinking = reply.replace(/<think>[\s\S]*?<\/think>/g, "");
  const line = withoutThinking
    .split("\n")
    .map((candidate) => candidate.trim())
    .find((candidate) => candidate.length > 0);
  if (!line) return undefined;
  const cleaned = line
    .replace(/^(standalone query|query|查询)\s*[:：]\s*/i, "")
    .replace(/^["'“”「『]+|["'“”」』]+$/g, "")
    .trim();
  if (cleaned.length === 0 || cleaned.length > 500) return undefined;
  return cleaned;
}
