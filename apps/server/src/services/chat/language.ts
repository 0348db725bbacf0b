/** The answer languages the chat distinguishes: Chinese, or whatever other language the question is in. */
export type QuestionLanguage = "zh" | "other";

const hanPattern = /\p{Script=Han}/gu;
const latinLetterPattern = /\p{Script=Latin}/gu;

/**
 * Detects whether a question is written in Chinese, by script. A question counts as Chinese when its Han
 * characters are at least a quarter as many as its Latin letters (a Latin word is ~4 letters, a Han
 * character ~1 word), so "什么是 Kubernetes？" is Chinese and "What does 知库 mean?" is not.
 */
export function detectLanguage(text: string): QuestionLanguage {
  const han = text.match(hanPattern)?.length ?? 0;
  if (han === 0) return "other";
  const latin = text.match(latinLetterPattern)?.length ?? 0;
  return han * 4 >= latin ? "zh" : "other";
}
