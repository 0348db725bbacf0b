import { describe, expect, test } from "vitest";
import { parseRerankRequest, RerankRequestError, relevanceScore, rerank } from "./rerank.js";

describe("relevanceScore", () => {
  test("is 1 for a document that is the query, 0 for one without shared terms", () => {
    expect(relevanceScore("Redis persistence", "Redis persistence")).toBe(1);
    expect(relevanceScore("Redis persistence", "sourdough starter")).toBe(0);
    expect(relevanceScore("", "anything")).toBe(0);
  });

  test("rises with the share of the query the document covers, in both scripts", () => {
    const query = "备用柴油发电机每台的额定容量是多少";
    const full = relevanceScore(query, "每台备用柴油发电机的额定容量为 800 kW。");
    const partial = relevanceScore(query, "柴油储罐的容量为 20 立方米。");
    const none = relevanceScore(query, "Redis keeps data in memory.");
    expect(full).toBeGreaterThan(partial);
    expect(partial).toBeGreaterThan(none);
    expect(full).toBeLessThanOrEqual(1);
  });
});

describe("parseRerankRequest", () => {
  test("reads strings and { text } documents, top_n and return_documents", () => {
    expect(
      parseRerankRequest({
        model: "bge-reranker-v2-m3",
        query: "q",
        documents: ["a", { text: "b" }],
        top_n: 1,
        return_documents: true,
      }),
    ).toEqual({ query: "q", documents: ["a", "b"], topN: 1, returnDocuments: true });
    expect(parseRerankRequest({ query: "q", documents: ["a", "b"] }).topN).toBe(2);
  });

  test.each([
    [{ documents: [] }, "query must be a string"],
    [{ query: "q" }, "documents must be an array"],
    [{ query: "q", documents: ["a", 3] }, 'documents[1] must be a string or an object with a string "text"'],
    [{ query: "q", documents: ["a"], top_n: 0 }, "top_n must be a positive integer"],
    [{ query: "q", documents: ["a"], top_n: 1.5 }, "top_n must be a positive integer"],
    [{ query: "q", documents: ["a"], return_documents: "yes" }, "return_documents must be a boolean"],
    [undefined, "query must be a string"],
  ])("rejects %j: %s", (body, message) => {
    expect(() => parseRerankRequest(body)).toThrow(new RerankRequestError(message));
  });
});

describe("rerank", () => {
  const documents = [
    "JVM 垃圾收集算法",
    "Redis 事务的隔离性",
    "Redis 事务如何保证隔离性？事务中的命令按顺序执行。",
    "Redis 持久化",
  ];

  test("ranks the documents best first and keeps top_n", () => {
    const results = rerank({ query: "Redis 事务如何保证隔离性", documents, topN: 3, returnDocuments: false });
    expect(results.map((result) => result.index)).toEqual([2, 1, 3]);
    expect(results[0]!.relevance_score).toBeGreaterThan(results[1]!.relevance_score);
    expect(results[1]!.relevance_score).toBeGreaterThan(results[2]!.relevance_score);
    expect(results[0]).not.toHaveProperty("document");
  });

  test("breaks ties by position and returns the documents when asked", () => {
    const results = rerank({
      query: "nothing shared",
      documents: ["a", "b"],
      topN: 5,
      returnDocuments: true,
    });
    expect(results).toEqual([
      { index: 0, relevance_score: 0, document: { text: "a" } },
      { index: 1, relevance_score: 0, document: { text: "b" } },
    ]);
  });
});
