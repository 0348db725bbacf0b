import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type StandInOllama, startStandInOllama } from "@zhiku/stand-in-ollama";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOllamaEmbedder } from "../embed/index.js";
import { openKnowledgeBase } from "../knowledge-base.js";
import { PROBE_QUESTIONS } from "./probe-questions.js";

const encode = (text: string) => new TextEncoder().encode(text);

const topics = [
  ["redis", "Redis runs a transaction with MULTI and EXEC; queued commands run one after another."],
  ["gc", "标记-清除算法先标记所有需要回收的对象，然后统一回收被标记的对象，会产生内存碎片。"],
  [
    "raft",
    "Raft elects a leader by randomized timeouts; a candidate needs votes from a majority of the cluster.",
  ],
  ["kafka", "Kafka partitions a topic; each partition is an ordered log replicated to followers."],
  ["jvm", "类加载的准备阶段为类变量分配内存并设置初始零值。"],
  ["http", "HTTP/2 multiplexes streams over one TCP connection and compresses headers with HPACK."],
] as const;

function document(index: number): { name: string; bytes: Uint8Array } {
  const [topic, text] = topics[index % topics.length]!;
  return { name: `${topic}-${index}.md`, bytes: encode(`# ${topic} ${index}\n\n${text} (${index})\n`) };
}

/** Relevance calibration over real LanceDB tables, with the stand-in's two embedders of different cosine scale. */
describe("KnowledgeBase.refreshRelevanceCalibration", () => {
  let standIn: StandInOllama;
  let dataDir: string;

  beforeAll(async () => {
    standIn = await startStandInOllama({
      models: ["bge-m3", "stand-in-anisotropic"],
      embeddingDimension: 256,
    });
    dataDir = await mkdtemp(join(tmpdir(), "zhiku-calibration-"));
  });

  afterAll(async () => {
    await standIn?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  const open = (model: string) =>
    openKnowledgeBase({ dataDir, embedder: createOllamaEmbedder({ host: standIn.url, model }) });

  it("measures each workspace once, again when it doubles, and again for a new embedding model", async () => {
    const lexical = await open("bge-m3");
    let lexicalCutoff: number;
    try {
      lexical.createWorkspace({ name: "Docs", slug: "docs" });
      expect(await lexical.refreshRelevanceCalibration("docs")).toBeNull();
      expect(lexical.requireWorkspace("docs").refusal.source).toBe("default");

      await lexical.ingestBatch([0, 1, 2, 3].map((index) => ({ workspace: "docs", ...document(index) })));
      const first = await lexical.refreshRelevanceCalibration("docs");
      expect(first).toMatchObject({
        model: "bge-m3",
        chunks: 4,
        probes: PROBE_QUESTIONS.length,
        pairs: 4 * PROBE_QUESTIONS.length,
      });
      expect(first?.vector.count).toBe(PROBE_QUESTIONS.length);
      const refusal = lexical.requireWorkspace("docs").refusal;
      expect(refusal.source).toBe("calibrated");
      expect(refusal.calibration).toEqual(first);
      expect(refusal.cutoff).toBeCloseTo(first!.vector.median + 2 * first!.vector.robustSd, 10);
      expect(refusal.fullTextCutoff).toBeCloseTo(first!.fullText.median + 2 * first!.fullText.robustSd, 10);
      lexicalCutoff = refusal.cutoff;

      // One more document is not a doubling: the stored measurement stands, with no probe embedded.
      await lexical.ingest({ workspace: "docs", ...document(4) });
      const embedsBefore = standIn.requests.filter((request) => request.path === "/api/embed").length;
      expect(await lexical.refreshRelevanceCalibration("docs")).toEqual(first);
      expect(standIn.requests.filter((request) => request.path === "/api/embed")).toHaveLength(embedsBefore);

      await lexical.ingestBatch([5, 6, 7].map((index) => ({ workspace: "docs", ...document(index) })));
      const grown = await lexical.refreshRelevanceCalibration("docs");
      expect(grown?.chunks).toBe(8);
      expect(grown?.pairs).toBe(8 * PROBE_QUESTIONS.length);

      // A manual setting overrides the calibrated cosine cut-off; clearing it brings the calibration back.
      lexical.updateWorkspace("docs", { settings: { relevanceCutoff: 0.7 } });
      expect(lexical.requireWorkspace("docs").refusal).toMatchObject({ cutoff: 0.7, source: "manual" });
      lexical.updateWorkspace("docs", { settings: { relevanceCutoff: undefined } });
      expect(lexical.requireWorkspace("docs").refusal.source).toBe("calibrated");
    } finally {
      await lexical.close();
    }

    // Another model: its cosines live on another scale, so the old measurement no longer counts.
    const anisotropic = await open("stand-in-anisotropic");
    try {
      expect(await anisotropic.refreshRelevanceCalibration("docs")).toBeNull();
      await anisotropic.reembed("docs");
      const workspace = anisotropic.requireWorkspace("docs");
      expect(workspace.embedModel).toBe("stand-in-anisotropic");
      expect(workspace.refusal.source).toBe("calibrated");
      expect(workspace.refusal.calibration?.model).toBe("stand-in-anisotropic");
      // Unrelated texts score about 0.4–0.6 with this model: its chance scores, and so its cut-off, sit higher.
      expect(workspace.refusal.calibration?.vector.median).toBeGreaterThan(0.4);
      expect(workspace.refusal.cutoff).toBeGreaterThan(lexicalCutoff + 0.2);
    } finally {
      await anisotropic.close();
    }
  }, 60_000);

  it("leaves the stored measurement alone when Ollama fails", async () => {
    const kb = await open("bge-m3");
    try {
      kb.createWorkspace({ name: "Other", slug: "other" });
      await kb.ingestBatch([0, 1].map((index) => ({ workspace: "other", ...document(index) })));
      const measured = await kb.refreshRelevanceCalibration("other");
      standIn.setOptions({ failures: { embed: { status: 500, times: 10 } } });
      await expect(kb.refreshRelevanceCalibration("other", { force: true })).rejects.toMatchObject({
        code: "unavailable:ollama",
      });
      expect(kb.requireWorkspace("other").refusal.calibration).toEqual(measured);
    } finally {
      standIn.setOptions({ failures: {} });
      await kb.close();
    }
  });
});
