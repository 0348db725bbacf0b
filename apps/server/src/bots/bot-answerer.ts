import type { KnowledgeBase } from "@zhiku/ingest";
import type { AuditLog } from "../auth/audit-log.js";
import type { Logger } from "../logger.js";
import type { ChatService } from "../services/chat/chat-service.js";
import { detectLanguage } from "../services/chat/language.js";
import { failureText, formatBotAnswer, type LinkStyle, workingText } from "./format-answer.js";
import type { IntegrationRecord, IntegrationStore } from "./integration-store.js";

/** Where a bot's answer goes: the conversation (and thread) the question was asked in. */
export interface BotReplyTarget {
  /** How the platform writes links. */
  linkStyle: LinkStyle;
  /**
   * Shows a first message while the answer is made (where the platform can edit a sent message), so that
   * {@link send} can edit it in place.
   */
  begin?: (text: string) => Promise<void>;
  /** Sends the finished answer (editing the first message when {@link begin} sent one). */
  send: (text: string) => Promise<void>;
}

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
export type AcceptOutcome = "answering" | "duplicate" | "empty";

/** Options for {@link BotAnswerer}. */
export interface BotAnswererOptions {
  kb: KnowledgeBase;
  chat: ChatService;
  integrations: IntegrationStore;
  audit: AuditLog;
  logger: Logger;
  /** `PUBLIC_URL`, for the citations' links. */
  publicUrl?: string | undefined;
  /** Aborted when the server stops: answers in progress end. */
  shutdownSignal: AbortSignal;
}

/**
 * Answers questions asked through bots with the workspace's chat service, in the integration's mode (query mode
 * refuses in the question's language when nothing relevant is found), and sends the answer with numbered citations
 * linked to the passages. Each delivery id is claimed in the database first, so a retried delivery is answered once,
 * and each question is written to the audit log (who, platform, workspace).
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
    const { kb, chat, logger, publicUrl, shutdownSignal } = this.#options;
    const { integration, reply } = question;
    const language = detectLanguage(question.text);
    const where = { integrationId: integration.id, platform: integration.platform };
    const workspace = kb.getWorkspaceById(integration.workspaceId);
    if (!workspace) return;
    try {
      await reply.begin?.(workingText(language));
      let text: string;
      try {
        const answer = await chat.answer({
          workspace,
          message: question.text,
          mode: integration.mode,
          persist: false,
          signal: shutdownSignal,
        });
        text = formatBotAnswer({
          answer: answer.answer,
          sources: answer.sources,
          language,
          workspaceSlug: workspace.slug,
          publicUrl,
          linkStyle: reply.linkStyle,
        });
      } catch (error) {
        if (shutdownSignal.aborted) return;
        logger.error({ ...where, err: error }, "A bot could not answer a question");
        text = failureText(language, error instanceof Error ? error.message : String(error));
      }
      await reply.send(text);
    } catch (error) {
      logger.error({ ...where, err: error }, "A bot could not send its answer");
    }
  }
}
