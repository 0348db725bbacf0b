import { describe, expect, test } from "vitest";
import { anisotropicEmbedding, commonDirection, commonShare } from "./anisotropic-embedding.js";
import { lexicalEmbedding, lexicalFeatures } from "./lexical-embedding.js";

function cosine(left: number[], right: number[]): number {
  return left.reduce((sum, value, index) => sum + value * right[index]!, 0);
}

function norm(vector: number[]): number {
  return Math.sqrt(cosine(vector, vector));
}

/** Texts on different subjects, in both scripts; no two share a lexical feature (checked below). */
const unrelated = [
  "垃圾收集器关注堆内存",
  "备用柴油发电机额定容量",
  "Redis transactions are isolated",
  "The quarterly budget meeting moved to Friday",
  "光合反应需要阳光和水",
  "Kubernetes schedules pods onto nodes",
  "唐诗三百首选入李白杜甫",
  "A sourdough starter needs flour and water",
];

const pairs = unrelated.flatMap((left, index) => unrelated.slice(index + 1).map((right) => [left, right]));

describe("anisotropicEmbedding", () => {
  test("the sample texts share no lexical feature, so the lexical mode scores them near 0", () => {
    for (const [left, right] of pairs) {
      const shared = lexicalFeatures(left!).filter((feature) => lexicalFeatures(right!).includes(feature));
      expect(shared, `${left} / ${right}`).toEqual([]);
      expect(Math.abs(cosine(lexicalEmbedding(left!, 1024), lexicalEmbedding(right!, 1024)))).toBeLessThan(
        0.15,
      );
    }
  });

  test("scores unrelated texts between 0.4 and 0.6, as real embedding models do", () => {
    const scores = pairs.map(([left, right]) =>
      cosine(anisotropicEmbedding(left!, 1024), anisotropicEmbedding(right!, 1024)),
    );
    expect(scores.length).toBe(28);
    for (const score of scores) {
      expect(score).toBeGreaterThanOrEqual(0.4);
      expect(score).toBeLessThanOrEqual(0.6);
    }
    // Not one constant: the share of the common direction varies per text.
    expect(Math.max(...scores) - Math.min(...scores)).toBeGreaterThan(0.02);
  });

  test("keeps the lexical order: texts that share terms score above unrelated ones", () => {
    const query = anisotropicEmbedding("Redis 事务如何保证隔离性", 1024);
    const related = cosine(query, anisotropicEmbedding("Redis 事务的隔离性", 1024));
    const unrelatedScore = cosine(query, anisotropicEmbedding("JVM 垃圾收集算法", 1024));
    expect(related).toBeGreaterThan(0.75);
    expect(related).toBeGreaterThan(unrelatedScore + 0.2);
    expect(unrelatedScore).toBeGreaterThanOrEqual(0.4);
    expect(unrelatedScore).toBeLessThanOrEqual(0.6);
  });

  test("gives unit vectors, the same for the same text, also for text without features", () => {
    for (const text of ["Redis 事务", "", "？！", "x"]) {
      const vector = anisotropicEmbedding(text, 1024);
      expect(vector).toHaveLength(1024);
      expect(norm(vector)).toBeCloseTo(1, 9);
      expect(anisotropicEmbedding(text, 1024)).toEqual(vector);
    }
    expect(norm(anisotropicEmbedding("short", 8))).toBeCloseTo(1, 9);
  });

  test("leans every vector towards the common direction by its text's share", () => {
    const direction = commonDirection(64);
    expect(norm(direction)).toBeCloseTo(1, 9);
    for (const text of unrelated) {
      const share = commonShare(text);
      expect(share).toBeGreaterThanOrEqual(0.4);
      expect(share).toBeLessThanOrEqual(0.6);
      expect(cosine(anisotropicEmbedding(text, 64), direction)).toBeCloseTo(Math.sqrt(share), 9);
    }
  });
});
