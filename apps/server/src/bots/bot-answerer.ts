import type { KnowledgeBase, WorkspaceRecord } from "@zhiku/ingest";
import type { AuditLog } from "../auth/audit-log.js";
import type { Logger } from "../logger.js";
import type { ChatService } from "../services/chat/chat-service.js";
import type { ChatSource } from "../services/chat/chat-source.js";
import { detectLanguage, type QuestionLanguage } from "../services/chat/language.js";
import {
  failureText,
  formatBotAnswer,
  formatPartialAnswer,
  type LinkStyle,
  workingText,
} from "./format-answer.js";
import type { IntegrationRecord, IntegrationStore } from "./integration-store.js";
import { ThrottledEdits } from "./throttled-edits.js";

/** How a platform that can edit a sent message shows an answer as it streams. */
export interface EditableReply {
  /** Sends the first message ("looking…"); {@link edit} then edits that one. */
  begin: (text: string) => Promise<void>;
  /** Edits the first message into the answer so far, and last into the finished answer. */
  edit: (text: string) => Promise<void>;
  /** Most edits the platform allows of one message, the final one included (Feishu: 20); absent, no limit. */
  maxEdits?: number | undefined;
}

/**
 * Where a bot's answer goes: the conversation (and thread) the question was asked in. A platform that can edit a
 * sent message (Slack, Feishu) gives `editable`: the answer is shown at once as a first message, edited as it
 * streams. One that cannot (DingTalk, WeCom) gives `send`: the finished answer is sent whole, once.
 */
export type BotReplyTarget = {
  /** How the platform writes links. */
  linkStyle: LinkStyle;
} & (
  | { editable: EditableReply; send?: never }
  | {
      editable?: never;
      /** Sends the finished answer as one message. */
      send: (text: string) => Promise<void>;
    }
);

/** A question a platform delivered, after its request was verified. */
export interface BotQuestion {
  integration: IntegrationRecord;
  /** The platform's id of the message or event: a delivery whose id was seen before is not answered again. */
  deliveryId: string;
  /** The question, mentions of the bot removed. */
  text: string;
  /** Who asked, as the platform names them. */
  asker: { id: string; name?: string | undefined };
  /** The platform's id of the conversation it was asked in. */
  conversation: string;
  reply: BotReplyTarget;
}

/** What {@link BotAnswerer.accept} did with a question. */
export type AcceptOutcome = "answering" | "duplicate" | "empty" | "disabled";

/** The least time between two edits of a streamed answer by default, in ms (Slack's chat.update allows ~1/s). */
const defaultEditIntervalMs = 1000;

/** The longest error kept as an integration's last error. */
const lastErrorLength = 500;

/** Options for {@link BotAnswerer}. */
export interface BotAnswererOptions {
  kb: KnowledgeBase;
  /** The chat service; only its stream is used. */
  chat: Pick<ChatService, "stream">;
  integrations: IntegrationStore;
  audit: AuditLog;
  logger: Logger;
  /** `PUBLIC_URL`, for the citations' links. */
  publicUrl?: string | undefined;
  /** Aborted when the server stops: answers in progress end. */
  shutdownSignal: AbortSignal;
  /**
   * Least time between two edits of an answer as it streams, in ms (`BOT_EDIT_INTERVAL_MS`); default 1000. 0 edits
   * as soon as the previous edit is done.
   */
  editIntervalMs?: number | undefined;
}

/**
 * Answers questions asked through bots with the workspace's chat service, in the integration's mode (query mode
 * refuses in the question's language when nothing relevant is found), and sends the answer with numbered citations
 * linked to the passages: streamed into a first message edited in place (throttled) where the platform can edit,
 * else sent whole. Each delivery id is claimed in the database first, so a retried delivery is answered once; each
 * question is written to the audit log (who, platform, workspace), and its outcome to the integration's last
 * activity. A bot an admin switched off answers nothing.
 */
export class BotAnswerer {
  readonly #options: BotAnswererOptions;
  readonly #pending = new Set<Promise<void>>();

  constructor(options: BotAnswererOptions) {
    this.#options = options;
  }

  /**
   * Takes a question and answers it in the background, so the platform's callback can be acknowledged at once
   * (Slack and Feishu retry a callback not answered within 3 seconds).
   */
  accept(question: BotQuestion): AcceptOutcome {
    const { integrations, audit, kb } = this.#options;
    const text = question.text.trim();
    if (!question.integration.enabled) return "disabled";
    if (!integrations.claimDelivery(question.integration.id, question.deliveryId)) return "duplicate";
    if (text.length === 0) return "empty";
    const workspace = kb.getWorkspaceById(question.integration.workspaceId);
    audit.record({
      actor: null,
      action: "bot.question",
      target: workspace?.slug ?? question.integration.workspaceId,
      details: {
        platform: question.integration.platform,
        integrationId: question.integration.id,
        integration: question.integration.name,
        asker: question.asker,
        conversation: question.conversation,
        deliveryId: question.deliveryId,
      },
    });
    const task = this.#answer({ ...question, text }).finally(() => this.#pending.delete(task));
    this.#pending.add(task);
    return "answering";
  }

  /** Resolves when every answer in progress has been sent (or has failed); for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  async #answer(question: BotQuestion): Promise<void> {
    const { kb, integrations, logger, shutdownSignal } = this.#options;
    const { integration, reply } = question;
    const where = { integrationId: integration.id, platform: integration.platform };
    const workspace = kb.getWorkspaceById(integration.workspaceId);
    if (!workspace) return;
    const language = detectLanguage(question.text);
    let failure: string | null = null;
    try {
      const editable = reply.editable;
      if (editable) await editable.begin(workingText(language));
      const edits = editable
        ? new ThrottledEdits({
            edit: editable.edit,
            intervalMs: this.#options.editIntervalMs ?? defaultEditIntervalMs,
            // The finished answer needs the last edit the platform allows.
            maxEdits: editable.maxEdits === undefined ? undefined : editable.maxEdits - 1,
            onError: (error) =>
              logger.warn({ ...where, err: error }, "A bot could not edit its streamed answer"),
          })
        : undefined;
      let text: string;
      try {
        text = await this.#stream({
          question,
          workspace,
          language,
          onPartial: (partial) => edits?.push(partial),
        });
      } catch (error) {
        if (shutdownSignal.aborted) {
          await edits?.finish();
          return;
        }
        logger.error({ ...where, err: error }, "A bot could not answer a question");
        failure = errorMessage(error);
        text = failureText(language, failure);
      }
      await edits?.finish();
      if (reply.editable) await reply.editable.edit(text);
      else await reply.send(text);
    } catch (error) {
      logger.error({ ...where, err: error }, "A bot could not send its answer");
      failure = errorMessage(error);
    }
    integrations.recordActivity(integration.id, {
      at: new Date().toISOString(),
      error: failure === null ? null : failure.slice(0, lastErrorLength),
    });
  }

  /** Streams the chat answer, telling `onPartial` the answer so far at each piece; resolves with the finished text. */
  async #stream(options: {
    question: BotQuestion;
    workspace: WorkspaceRecord;
    language: QuestionLanguage;
    onPartial: (text: string) => void;
  }): Promise<string> {
    const { chat, publicUrl, shutdownSignal } = this.#options;
    const { question, workspace } = options;
    const { linkStyle } = question.reply;
    let sources: ChatSource[] = [];
    let partial = "";
    for await (const event of chat.stream({
      workspace,
      message: question.text,
      mode: question.integration.mode,
      persist: false,
      signal: shutdownSignal,
    })) {
      if (event.type === "sources") sources = event.sources;
      else if (event.type === "token") {
        partial += event.text;
        // Leading whitespace alone is nothing to show yet.
        if (partial.trim()) options.onPartial(formatPartialAnswer({ answer: partial, linkStyle }));
      } else {
        return formatBotAnswer({
          answer: event.answer,
          sources,
          language: options.language,
          workspaceSlug: workspace.slug,
          publicUrl,
          linkStyle,
        });
      }
    }
    // Only an abort (the server stopping) ends the stream without `done`.
    throw new Error("The chat ended without an answer");
  }
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
