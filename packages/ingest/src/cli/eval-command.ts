import { readFile } from "node:fs/promises";
import { type EvalMode, type EvalReport, evaluate, formatReport, parseQuestions } from "../eval/evaluate.js";
import type { KnowledgeBase } from "../knowledge-base.js";

/** Options for {@link runEval}. */
export interface RunEvalOptions {
  knowledgeBase: KnowledgeBase;
  workspace: string;
  /** JSONL file of `{"id","question","expected":[document names],"lang"?}` lines. */
  questionsPath: string;
  modes: EvalMode[];
  /** Cosine cut-off for refusals; default the workspace's cut-off in force. */
  relevanceCutoff?: number;
  /** Print the report as JSON. */
  json: boolean;
  /** Ollama's URL, to say in the report whether the vectors came from the stand-in. */
  ollamaHost: string;
  /** The reranker's URL (`--rerank-url`), to say in the report whether its scores came from the stand-in. */
  rerankUrl?: string;
  output: NodeJS.WritableStream;
  errorOutput: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Whether the Ollama (or reranker) at `host` is the repository's stand-in (its `/api/version` says so). */
async function isStandIn(host: string): Promise<boolean> {
  try {
    const response = await fetch(new URL("/api/version", host), { signal: AbortSignal.timeout(3000) });
    return ((await response.json()) as { standIn?: boolean }).standIn === true;
  } catch {
    return false;
  }
}

/** Evaluates retrieval on a question set and prints the report. */
export async function runEval(options: RunEvalOptions): Promise<EvalReport> {
  const questions = parseQuestions(await readFile(options.questionsPath, "utf8"), options.questionsPath);
  const report = await evaluate({
    knowledgeBase: options.knowledgeBase,
    workspace: options.workspace,
    questions,
    modes: options.modes,
    ...(options.relevanceCutoff === undefined ? {} : { relevanceCutoff: options.relevanceCutoff }),
    onProgress: (done, total) => {
      if (options.errorOutput.isTTY) options.errorOutput.write(`\rsearching ${done}/${total}`);
    },
  });
  if (options.errorOutput.isTTY) options.errorOutput.write("\r\x1b[K");
  const standInEmbedder = await isStandIn(options.ollamaHost);
  const standIns = {
    standInEmbedder,
    ...(options.rerankUrl === undefined ? {} : { standInReranker: await isStandIn(options.rerankUrl) }),
  };
  if (options.json) {
    options.output.write(`${JSON.stringify({ ...report, ...standIns }, null, 2)}\n`);
  } else {
    options.output.write(`${formatReport(report, standIns)}\n`);
  }
  return report;
}
