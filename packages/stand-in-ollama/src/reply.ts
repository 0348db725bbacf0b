/** A chat message as the stand-in reads it. */
export interface StandInMessage {
  role: string;
  content: string;
}

/** The stand-in's deterministic answer and what it was based on. */
export interface StandInReply {
  /** The reply text. */
  text: string;
  /** `zh` when the question contains CJK characters, else `en`. */
  language: "zh" | "en";
  /** Passage numbers found in the prompt, ascending, e.g. `[1, 2]`. */
  passages: number[];
}

const CJK_PATTERN = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Passage numbers in a prompt: `<passage index="2" ...>` blocks, or lines starting with `[2]`. */
function findPassages(prompt: string): number[] {
  const found = new Set<number>();
  for (const match of prompt.matchAll(/<passage\b[^>]*\bindex="(\d+)"/g)) found.add(Number(match[1]));
  for (const match of prompt.matchAll(/^\s*\[(\d+)\]/gm)) found.add(Number(match[1]));
  return [...found].sort((left, right) => left - right);
}

/** The text of passage `index`, for quoting its start in the answer. */
function passageText(prompt: string, index: number): string | undefined {
  const block = new RegExp(`<passage\\b[^>]*\\bindex="${index}"[^>]*>([\\s\\S]*?)</passage>`).exec(prompt);
  if (block) return block[1]!.trim();
  const line = new RegExp(`^\\s*\\[${index}\\]\\s*(.*)$`, "m").exec(prompt);
  return line?.[1]?.trim();
}

/** The first `limit` characters of a passage on one line. */
function excerpt(text: string, limit: number): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > limit ? `${flat.slice(0, limit)}…` : flat;
}

/** The value after the last `label` in `text`, up to the end of its line. */
function afterLabel(text: string, label: RegExp): string | undefined {
  let value: string | undefined;
  for (const match of text.matchAll(label)) value = match[1]?.trim();
  return value || undefined;
}

/**
 * Builds the stand-in's reply to a conversation, deterministic and useful for tests:
 * - a query-rewriting prompt ("Follow-up question: …") gets the follow-up question back as the query;
 * - otherwise the reply names the question (after "Question:" in the last user message, or the whole message),
 *   quotes the start of the first passage and cites every numbered passage in the prompt as `[n]`;
 * - in Chinese when the question contains CJK characters, in English otherwise.
 */
export function buildReply(messages: StandInMessage[]): StandInReply {
  const prompt = messages.map((message) => message.content).join("\n");
  const lastUser = [...messages].reverse().find((message) => message.role === "user")?.content ?? "";
  const followUp = afterLabel(lastUser, /Follow-up question:[ \t]*(.*)/g);
  if (followUp) {
    return { text: followUp, language: CJK_PATTERN.test(followUp) ? "zh" : "en", passages: [] };
  }
  const question = afterLabel(lastUser, /Question:[ \t]*(.*)/g) ?? lastUser.trim();
  const language = CJK_PATTERN.test(question) ? "zh" : "en";
  const passages = findPassages(prompt);
  const shortQuestion = excerpt(question, 80);
  if (passages.length === 0) {
    return {
      text:
        language === "zh"
          ? `资料中没有找到关于「${shortQuestion}」的信息。`
          : `I could not find anything about "${shortQuestion}" in the provided passages.`,
      language,
      passages,
    };
  }
  const first = passages[0]!;
  const quote = excerpt(passageText(prompt, first) ?? "", 60);
  const citations = passages.map((index) => `[${index}]`).join("");
  const text =
    language === "zh"
      ? `关于「${shortQuestion}」，根据资料：${quote} [${first}]。参考资料：${citations}`
      : `Regarding "${shortQuestion}", the passages say: ${quote} [${first}]. Sources: ${citations}`;
  return { text, language, passages };
}

/**
 * Splits a reply into streaming pieces the way a model emits tokens: one CJK character at a time, Latin words
 * with their following space.
 */
export function replyPieces(text: string): string[] {
  return (
    text.match(
      /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]|[^\s\p{Script=Han}]+\s*|\s+/gu,
    ) ?? []
  );
}
