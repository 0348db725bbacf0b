import type { ChatEvent, ChatRequest, ChatService } from "../chat/chat-service.js";
import { isAbortError } from "../chat/ollama-error.js";
import type { ChatRecord, ServerMetrics } from "./server-metrics.js";

/**
 * Wraps a chat service so every answer is counted in `metrics`: outcome, time to first token, and the prompt and
 * completion tokens from the `done` event (Ollama's counts; streamed token events when the answer was cut short).
 * The answers themselves pass through unchanged.
 */
export function instrumentChatService(service: ChatService, metrics: ServerMetrics): ChatService {
  async function* stream(request: ChatRequest): AsyncGenerator<ChatEvent, void, undefined> {
    const started = performance.now();
    const record: ChatRecord = { outcome: "aborted", streamed: true };
    let tokenEvents = 0;
    try {
      for await (const event of service.stream(request)) {
        if (event.type === "token") {
          tokenEvents += 1;
          record.timeToFirstTokenSeconds ??= (performance.now() - started) / 1000;
        } else if (event.type === "done") {
          // A stopped answer ends with `done` too, but it was cut short like one whose client left.
          record.outcome = event.status === "stopped" ? "aborted" : "ok";
          record.promptTokens = event.usage.promptTokens;
          record.completionTokens = event.usage.completionTokens;
        }
        yield event;
      }
    } catch (error) {
      record.outcome = request.signal?.aborted || isAbortError(error) ? "aborted" : "error";
      throw error;
    } finally {
      // Ended without `done`: the client left, the server stopped, or the model failed mid-answer.
      if (record.outcome !== "ok") record.completionTokens = tokenEvents;
      metrics.recordChat(record);
    }
  }

  return {
    contextLengths: service.contextLengths,
    stream,
    async answer(request) {
      try {
        const answer = await service.answer(request);
        metrics.recordChat({
          outcome: answer.status === "stopped" ? "aborted" : "ok",
          streamed: false,
          promptTokens: answer.usage.promptTokens,
          completionTokens: answer.usage.completionTokens,
        });
        return answer;
      } catch (error) {
        const aborted = request.signal?.aborted || isAbortError(error);
        metrics.recordChat({ outcome: aborted ? "aborted" : "error", streamed: false });
        throw error;
      }
    },
  };
}
