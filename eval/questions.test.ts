import { access, readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";

/** One line of `questions.jsonl`. */
interface EvaluationQuestion {
  id: string;
  question: string;
  expected: string[];
  lang: "zh" | "en";
  paraphrased: boolean;
}

const corpus = new URL("./corpus/", import.meta.url);

async function readQuestions(): Promise<EvaluationQuestion[]> {
  const text = await readFile(new URL("./questions.jsonl", import.meta.url), "utf8");
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as EvaluationQuestion);
}

describe("evaluation questions", () => {
  it("have unique ids, a language, a question and a list of expected documents", async () => {
    const questions = await readQuestions();
    expect(new Set(questions.map((question) => question.id)).size).toBe(questions.length);
    for (const question of questions) {
      expect(question.id).toMatch(new RegExp(`^${question.lang}-\\d{3}$`));
      expect(["zh", "en"]).toContain(question.lang);
      expect(question.question.trim().length).toBeGreaterThan(5);
      expect(Array.isArray(question.expected)).toBe(true);
      expect(typeof question.paraphrased).toBe("boolean");
    }
  });

  it("name only documents that exist in the committed corpus, in the question's language", async () => {
    for (const question of await readQuestions()) {
      for (const name of question.expected) {
        expect(name.startsWith(`${question.lang}/`), `${question.id}: ${name}`).toBe(true);
        await expect(
          access(new URL(name, corpus)),
          `${question.id}: ${name} is missing`,
        ).resolves.toBeUndefined();
      }
    }
  });

  it("mix Chinese and English, paraphrased and unanswerable questions as the issue asks", async () => {
    const questions = await readQuestions();
    const chinese = questions.filter((question) => question.lang === "zh").length;
    const paraphrased = questions.filter((question) => question.paraphrased).length;
    const unanswerable = questions.filter((question) => question.expected.length === 0).length;
    expect(questions.length).toBeGreaterThanOrEqual(72);
    expect(chinese / questions.length).toBeGreaterThan(0.4);
    expect(chinese / questions.length).toBeLessThan(0.6);
    expect(paraphrased * 3).toBeGreaterThanOrEqual(questions.length);
    expect(unanswerable).toBeGreaterThanOrEqual(10);
  });
});
