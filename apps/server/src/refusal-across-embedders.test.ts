import { readdir, readFile } from "node:fs/promises";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type EvalQuestion, parseQuestions } from "@zhiku/ingest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { noPassagesAnswer } from "./services/chat/chat-service.js";
import { detectLanguage } from "./services/chat/language.js";
import { createTestServer, filesForm, type TestServer } from "./testing/test-server.js";

const evalDirectory = fileURLToPath(new URL("../../../eval/", import.meta.url));
/**
 * The first corpus folder of each language in eval/ (zh/jvm, en/redis-doc): the documents that answer a quarter of
 * the evaluation set, with their neighbours as distractors.
 */
const corpusFolders = ["corpus/zh/jvm", "corpus/en/redis-doc"];

interface Source {
  index: number;
  documentName: string;
  chunkId: string;
}
interface ChatAnswer {
  answer: string;
  sources: Source[];
}

async function markdownFiles(directory: string): Promise<string[]> {
  const entries = await readdir(directory, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && entry.name.endsWith(".md"))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/** A corpus path as an upload name: uploads keep no folders, and redis-doc has many an index.md. */
const uploadName = (path: string) => path.replaceAll("/", "__");

/**
 * The questions of eval/questions.jsonl this corpus can answer, without the paraphrased ones (eval/README.md: they
 * need a real embedding model; the stand-in's vectors are lexical), and every unanswerable one.
 */
async function questionSet(corpus: readonly string[]) {
  const all = parseQuestions(
    await readFile(join(evalDirectory, "questions.jsonl"), "utf8"),
    "questions.jsonl",
  );
  const held = new Set(corpus);
  const answerable = all.filter(
    (question) => !question.paraphrased && question.expected.some((name) => held.has(name)),
  );
  const unanswerable = all.filter((question) => question.expected.length === 0);
  return { answerable, unanswerable };
}

async function uploadCorpus(server: TestServer, workspace: string): Promise<string[]> {
  const corpusRoot = join(evalDirectory, "corpus");
  const paths = (
    await Promise.all(corpusFolders.map((folder) => markdownFiles(join(evalDirectory, folder))))
  ).flat();
  const names: string[] = [];
  for (let start = 0; start < paths.length; start += 20) {
    const batch = await Promise.all(
      paths.slice(start, start + 20).map(async (path) => {
        const name = relative(corpusRoot, path);
        names.push(name);
        return { name: uploadName(name), content: await readFile(path), type: "text/markdown" };
      }),
    );
    const response = await server.request(`/api/workspaces/${workspace}/documents`, {
      method: "POST",
      body: filesForm(batch),
    });
    expect(response.status).toBe(202);
  }
  await server.deps.jobs.whenIdle();
  const failed = server.deps.kb.listDocuments(workspace).filter((document) => document.status !== "ready");
  expect(failed).toEqual([]);
  return names;
}

const embedders = [
  { label: "lexical (the stand-in's default)", model: "bge-m3" },
  { label: "anisotropic (unrelated texts at cosine 0.4–0.6)", model: "stand-in-anisotropic" },
];

describe.each(embedders)("query mode with the $label stand-in embedder", ({ model }) => {
  let server: TestServer;
  let questions: { answerable: EvalQuestion[]; unanswerable: EvalQuestion[] };

  beforeAll(async () => {
    server = await createTestServer({
      environment: { EMBED_MODEL: model },
      // The stand-in's own default dimension, as a newcomer runs it.
      ollama: { models: ["bge-m3", "stand-in-anisotropic", "qwen2.5:7b"], embeddingDimension: 1024 },
    });
    const created = await server.request("/api/workspaces", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Eval", slug: "eval" }),
    });
    expect(created.status).toBe(201);
    questions = await questionSet(await uploadCorpus(server, "eval"));
  }, 240_000);

  afterAll(async () => {
    await server?.close();
  });

  const post = async <T>(path: string, body: unknown): Promise<T> => {
    const response = await server.request(path, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as T;
  };
  const expectedOf = (question: EvalQuestion) => new Set(question.expected.map(uploadName));
  const chatRequests = () => server.standIn.requests.filter((request) => request.path === "/api/chat").length;

  it("shows the cut-off calibrated for the workspace's embedding model in the workspace", async () => {
    const response = await server.request("/api/workspaces/eval");
    const { workspace } = (await response.json()) as {
      workspace: {
        embedModel: string;
        refusal: {
          cutoff: number;
          source: string;
          calibration: { model: string; chunks: number; probes: number; pairs: number } | null;
        };
      };
    };
    expect(workspace.refusal.source).toBe("calibrated");
    expect(workspace.refusal.calibration?.model).toBe(workspace.embedModel);
    const { chunks, probes, pairs } = workspace.refusal.calibration!;
    expect(pairs).toBe(chunks * probes);
    expect(chunks).toBeGreaterThan(100);
  });

  it("answers, citing the passage, every question that search ranks correctly", async () => {
    const ranked: EvalQuestion[] = [];
    for (const question of questions.answerable) {
      const { results } = await post<{ results: { documentName: string }[] }>("/api/workspaces/eval/search", {
        query: question.question,
        limit: 6,
      });
      if (results[0] && expectedOf(question).has(results[0].documentName)) ranked.push(question);
    }
    // Search must rank most of them first, or this test would check little.
    expect(ranked.length).toBeGreaterThanOrEqual(Math.ceil(questions.answerable.length * 0.8));

    const unanswered: string[] = [];
    for (const question of ranked) {
      const { answer, sources } = await post<ChatAnswer>("/api/workspaces/eval/chat", {
        message: question.question,
        mode: "query",
      });
      const cited = sources.find((source) => expectedOf(question).has(source.documentName));
      if (!cited || !answer.includes(`[${cited.index}]`)) unanswered.push(`${question.id}: ${answer}`);
    }
    expect(unanswered).toEqual([]);
  }, 120_000);

  it("refuses at least four in five unanswerable questions, without calling the model", async () => {
    const refused: string[] = [];
    for (const question of questions.unanswerable) {
      const before = chatRequests();
      const { answer, sources } = await post<ChatAnswer>("/api/workspaces/eval/chat", {
        message: question.question,
        mode: "query",
      });
      if (answer === noPassagesAnswer(detectLanguage(question.question))) {
        expect(sources).toEqual([]);
        expect(chatRequests()).toBe(before);
        refused.push(question.id);
      }
    }
    expect(refused.length).toBeGreaterThanOrEqual(Math.ceil(questions.unanswerable.length * 0.8));
  }, 120_000);
});

describe("a newcomer's stand-in setup", () => {
  let server: TestServer;

  beforeAll(async () => {
    // Everything at its default: the stand-in as `npm run stand-in-ollama` starts it, the server's EMBED_MODEL.
    server = await createTestServer({ ollama: { embeddingDimension: 1024 } });
    await server.request("/api/workspaces", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "Plant", slug: "plant" }),
    });
    const response = await server.request("/api/workspaces/plant/documents", {
      method: "POST",
      body: filesForm([
        {
          name: "power.md",
          content:
            "# 供电系统\n\n## 备用电源\n\n机房配备两台备用柴油发电机，每台额定容量为 800 kW，市电中断后 15 秒内自动启动。" +
            "燃油储备可满载运行 12 小时。\n\n## 配电\n\n主配电柜采用双路市电进线，任一路故障时自动切换。\n",
        },
        {
          name: "cooling.md",
          content:
            "# Cooling\n\nThe data hall is cooled by four chillers in an N+1 arrangement. Each chiller delivers 350 kW " +
            "of cooling; the supply air temperature is held at 22 °C.\n",
        },
      ]),
    });
    expect(response.status).toBe(202);
    await server.deps.jobs.whenIdle();
  }, 60_000);

  afterAll(async () => {
    await server?.close();
  });

  it.each([
    ["备用柴油发电机每台的额定容量是多少？", "power.md"],
    ["How much cooling does each chiller deliver?", "cooling.md"],
  ])("answers %s from the passage search ranks first, in chat and query mode", async (message, document) => {
    const search = (await (
      await server.request("/api/workspaces/plant/search", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ query: message }),
      })
    ).json()) as { results: { documentName: string; chunkId: string }[] };
    expect(search.results[0]?.documentName).toBe(document);
    for (const mode of ["chat", "query"]) {
      const response = await server.request("/api/workspaces/plant/chat", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ message, mode }),
      });
      const { answer, sources } = (await response.json()) as ChatAnswer;
      const cited = sources.find((source) => source.chunkId === search.results[0]?.chunkId);
      expect(cited, `${mode}: ${answer}`).toBeDefined();
      expect(answer).toContain(`[${cited?.index}]`);
    }
  });
});
