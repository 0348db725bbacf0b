import { field, HttpError } from "./http.js";
import type { StandInModel } from "./models.js";
import { buildReply, replyPieces, type StandInMessage } from "./reply.js";
import { estimateTokens } from "./token-estimate.js";

/** What `/api/chat` or `/api/generate` answers: the streamed pieces and the final object. */
export interface ChatResponse {
  /** True unless the request set `stream: false`. */
  stream: boolean;
  /** The NDJSON lines before the final one, one per reply token. */
  pieces: unknown[];
  /** The last line when streaming, or the whole answer when not. */
  final: unknown;
}

/** The conversation of a chat request (`messages`) or a generate request (`system` and `prompt`). */
function messagesOf(isChat: boolean, body: unknown): StandInMessage[] {
  if (isChat) {
    return ((field(body, "messages") as StandInMessage[] | undefined) ?? []).map((message) => ({
      role: String(message.role),
      content: String(message.content ?? ""),
    }));
  }
  const system = field(body, "system");
  return [
    ...(typeof system === "string" ? [{ role: "system", content: system }] : []),
    { role: "user", content: String(field(body, "prompt") ?? "") },
  ];
}

/**
 * Builds the answer to `/api/chat` (`isChat`) or `/api/generate` in Ollama's shapes: the deterministic reply of
 * {@link buildReply}, split into tokens, with plausible timings and token counts.
 */
export function chatResponse(model: StandInModel, isChat: boolean, body: unknown): ChatResponse {
  if (model.embeddingOnly) {
    throw new HttpError(400, `"${model.name}" does not support ${isChat ? "chat" : "generate"}`);
  }
  const messages = messagesOf(isChat, body);
  const reply = buildReply(messages);
  const allPieces = replyPieces(reply.text);
  // Ollama's `num_predict` caps the generated tokens; a capped answer ends with done_reason "length".
  const limit = field(field(body, "options"), "num_predict");
  const capped = typeof limit === "number" && limit >= 0 && limit < allPieces.length;
  const pieces = capped ? allPieces.slice(0, limit) : allPieces;
  const doneReason = capped ? "length" : "stop";
  const stream = field(body, "stream") !== false;
  const timing = {
    total_duration: 2_000_000 + pieces.length * 10_000,
    load_duration: 100_000,
    prompt_eval_count: messages.reduce((sum, message) => sum + estimateTokens(message.content), 0),
    prompt_eval_duration: 500_000,
    eval_count: pieces.length,
    eval_duration: pieces.length * 10_000,
  };
  const base = { model: model.name, created_at: new Date().toISOString() };
  const chunkOf = (text: string) =>
    isChat
      ? { ...base, message: { role: "assistant", content: text }, done: false }
      : { ...base, response: text, done: false };
  const text = stream ? "" : pieces.join("");
  const final = isChat
    ? {
        ...base,
        message: { role: "assistant", content: text },
        done: true,
        done_reason: doneReason,
        ...timing,
      }
    : { ...base, response: text, done: true, done_reason: doneReason, context: [], ...timing };
  return { stream, pieces: pieces.map(chunkOf), final };
}
