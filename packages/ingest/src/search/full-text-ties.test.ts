import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/index.js";
import { openKnowledgeBase } from "../knowledge-base.js";

/** Chunks of one template: full text scores many of them the same. */
function manual(topic: string, number: number): string {
  const sections = Array.from(
    { length: 4 },
    (_, section) =>
      `## ${topic} 第${section + 1}节\n\n${topic}的运维手册第${number}版。错误码 E${number}${section} 表示配置有误，` +
      `需要检查第${section + 1}项参数并重启服务。This section covers ${topic} item ${section} of revision ${number}.\n`,
  );
  return `# ${topic}\n\n${sections.join("\n")}`;
}

describe("full-text results with tied scores", () => {
  let standIn: StandInOllama;
  let dataDir: string;

  beforeEach(async () => {
    standIn = await startStandInOllama({ embeddingDimension: 64 });
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-ties-"));
  });

  afterEach(async () => {
    await standIn.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("come in the same order every time, from any handle on the same data", async () => {
    const open = () =>
      openKnowledgeBase({ dataDir, embedder: createOllamaEmbedder({ host: standIn.url, model: "bge-m3" }) });
    const first = await open();
    for (const [number, topic] of ["Kafka 分区", "Nginx 反向代理", "Docker 网络"].entries()) {
      await first.ingest({
        workspace: "ops",
        name: `${number}.md`,
        bytes: new TextEncoder().encode(manual(topic, number)),
      });
    }
    const query = { workspace: "ops", query: "错误码 配置", mode: "fulltext" as const, limit: 5 };
    const answers = [await first.search(query), await first.search(query)];
    const second = await open();
    answers.push(await second.search(query));
    const scores = answers[0]?.results.map((result) => result.score) ?? [];
    // The case this guards: ties, and at the limit.
    expect(new Set(scores).size).toBeLessThan(scores.length);
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
    await first.close();
    await second.close();
  });
});
