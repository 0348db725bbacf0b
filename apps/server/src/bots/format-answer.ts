import type { ChatSource } from "../services/chat/chat-source.js";
import type { QuestionLanguage } from "../services/chat/language.js";

/** How a platform writes a link in a message: Slack's `<url|text>`, Markdown's `[text](url)`, or the bare URL. */
export type LinkStyle = "slack" | "markdown" | "plain";

/** Options for {@link formatBotAnswer}. */
export interface FormatBotAnswerOptions {
  /** The answer with its `[n]` citation markers. */
  answer: string;
  /** The passages the markers number. */
  sources: ChatSource[];
  /** The question's language: the sources' heading is written in it. */
  language: QuestionLanguage;
  /** The workspace the passages are in, for their links. */
  workspaceSlug: string;
  /** `PUBLIC_URL`; without it the sources are named but not linked. */
  publicUrl?: string | undefined;
  linkStyle: LinkStyle;
}

const markerPattern = /\[(\d{1,3}(?:\s*,\s*\d{1,3})*)\]/g;

/** The numbers an answer cites, in the order first cited. */
export function citedNumbers(answer: string): number[] {
  const seen = new Set<number>();
  for (const match of answer.matchAll(markerPattern)) {
    for (const part of (match[1] ?? "").split(",")) seen.add(Number(part.trim()));
  }
  return [...seen];
}

/** The web client's address of a passage: the document's chunks, opened at the cited one. */
export function passageUrl(options: {
  publicUrl: string;
  workspaceSlug: string;
  source: ChatSource;
}): string {
  const query = new URLSearchParams({ document: options.source.documentId, chunk: options.source.chunkId });
  return `${options.publicUrl}/workspaces/${encodeURIComponent(options.workspaceSlug)}/documents?${query}`;
}

/** Escapes the three characters Slack's mrkdwn reserves. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A chat answer as a bot message: the answer as the model wrote it, then each passage it cites, numbered as cited,
 * with its document (and page) linked to the passage in Zhiku when `PUBLIC_URL` is set. A refusal cites nothing and
 * is sent alone.
 */
export function formatBotAnswer(options: FormatBotAnswerOptions): string {
  const escapeText = options.linkStyle === "slack" ? escapeSlackText : (text: string) => text;
  const byIndex = new Map(options.sources.map((source) => [source.index, source]));
  const cited = citedNumbers(options.answer)
    .map((index) => byIndex.get(index))
    .filter((source) => source !== undefined);
  const body = escapeText(options.answer.trim());
  if (cited.length === 0) return body;
  const zh = options.language === "zh";
  const lines = cited.map((source) => {
    const page = source.page === null ? "" : zh ? `，第 ${source.page} 页` : `, p. ${source.page}`;
    const label = `${source.documentName}${page}`;
    if (!options.publicUrl) return `[${source.index}] ${escapeText(label)}`;
    const url = passageUrl({ publicUrl: options.publicUrl, workspaceSlug: options.workspaceSlug, source });
    if (options.linkStyle === "slack")
      return `[${source.index}] <${url}|${escapeText(label).replace(/\|/g, "¦")}>`;
    if (options.linkStyle === "markdown") return `[${source.index}] [${label.replace(/[[\]]/g, "")}](${url})`;
    return `[${source.index}] ${label} ${url}`;
  });
  return `${body}\n\n${zh ? "来源：" : "Sources:"}\n${lines.join("\n")}`;
}

/**
 * An answer still streaming, as a bot's message shows it between edits: the text so far (escaped for Slack) and an
 * ellipsis saying more is coming. Sources are listed only with the finished answer.
 */
export function formatPartialAnswer(options: { answer: string; linkStyle: LinkStyle }): string {
  const body = options.answer.trim();
  return `${options.linkStyle === "slack" ? escapeSlackText(body) : body} …`;
}

/** What a bot shows while it looks for the answer, where the platform lets it edit that message afterwards. */
export function workingText(language: QuestionLanguage): string {
  return language === "zh" ? "正在文档中查找答案…" : "Looking through the documents…";
}

/** What a bot says when it could not answer (Ollama down, the model missing), in the question's language. */
export function failureText(language: QuestionLanguage, reason: string): string {
  return language === "zh" ? `抱歉，现在无法回答：${reason}` : `Sorry, I cannot answer right now: ${reason}`;
}
