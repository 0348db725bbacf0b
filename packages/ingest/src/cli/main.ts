/**
 * The `zhiku` command line: ingest files into a workspace and search it, on the same data dir as the server. The
 * installed `zhiku` command is the server package's, which adds `mcp` (it needs the chat service) to these.
 */
import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { Command, InvalidArgumentError, Option } from "commander";
import { configureLanceEnvironment } from "../lance-environment.js";

// Before LanceDB loads (it is imported lazily below).
configureLanceEnvironment();

// `zhiku search ... | head` closes the pipe early: that is not an error.
process.stdout.on("error", (error: NodeJS.ErrnoException) => {
  if (error.code === "EPIPE") process.exit(0);
  throw error;
});

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed <= 0)
    throw new InvalidArgumentError("must be a positive whole number");
  return parsed;
}

function httpUrl(value: string): string {
  const protocol = URL.canParse(value) ? new URL(value).protocol : undefined;
  if (protocol === "http:" || protocol === "https:") return value;
  throw new InvalidArgumentError("must be a URL such as http://127.0.0.1:8080");
}

/**
 * Opens the knowledge base of the environment's DATA_DIR, with the environment's reranker (RERANK_URL) or the one
 * given on the command line.
 */
async function openFromEnv(rerank?: { url: string; model: string; timeoutMs: number }) {
  const { knowledgeBaseSettingsOf, parseCliEnv } = await import("./cli-env.js");
  const { openKnowledgeBase } = await import("../knowledge-base.js");
  const { knowledgeBaseOptionsFrom } = await import("../knowledge-base-options.js");
  const env = parseCliEnv(process.env);
  const knowledgeBase = await openKnowledgeBase(
    knowledgeBaseOptionsFrom({ ...knowledgeBaseSettingsOf(env), ...(rerank ? { rerank } : {}) }),
  );
  return { env, knowledgeBase };
}

const program = new Command()
  .name("zhiku")
  .description("Zhiku knowledge base: ingest documents and search them (DATA_DIR, OLLAMA_HOST, EMBED_MODEL)")
  .showHelpAfterError();

program
  .command("ingest")
  .description("ingest files and folders (recursively, skipping hidden files) into a workspace")
  .requiredOption("-w, --workspace <slug>", "workspace slug (created when missing)")
  .argument("<paths...>", "files or folders")
  .action(async (paths: string[], options: { workspace: string }) => {
    const { runIngest } = await import("./ingest-command.js");
    const { env, knowledgeBase } = await openFromEnv();
    try {
      const summary = await runIngest({
        knowledgeBase,
        workspace: options.workspace,
        paths,
        maxBytes: env.MAX_UPLOAD_MB * 1024 * 1024,
        output: process.stdout,
      });
      process.exitCode = summary.failed.length > 0 ? 1 : 0;
    } finally {
      await knowledgeBase.close();
    }
  });

program
  .command("search")
  .description("search a workspace (hybrid vector + full text by default)")
  .requiredOption("-w, --workspace <slug>", "workspace slug")
  .option("-n, --limit <n>", "number of results", positiveInteger, 10)
  .addOption(
    new Option("-m, --mode <mode>", "search mode")
      .choices(["hybrid", "vector", "fulltext"])
      .default("hybrid"),
  )
  .option("--json", 'print {"results":[...]} as JSON', false)
  .argument("<query>", "what to look for")
  .action(
    async (
      query: string,
      options: { workspace: string; limit: number; mode: "hybrid" | "vector" | "fulltext"; json: boolean },
    ) => {
      const { runSearch } = await import("./search-command.js");
      const { knowledgeBase } = await openFromEnv();
      try {
        await runSearch({
          knowledgeBase,
          workspace: options.workspace,
          query,
          limit: options.limit,
          mode: options.mode,
          json: options.json,
          output: process.stdout,
          errorOutput: process.stderr,
        });
      } finally {
        await knowledgeBase.close();
      }
    },
  );

program
  .command("backup")
  .description(
    "write a consistent snapshot of DATA_DIR (metadata, chunks, original files) while the server runs",
  )
  .argument("<file>", "archive to write, e.g. zhiku-2025-01-31.tar.gz")
  .action(async (file: string) => {
    const { runBackup } = await import("./backup-command.js");
    const { parseCliEnv } = await import("./cli-env.js");
    await runBackup({
      dataDir: parseCliEnv(process.env).DATA_DIR,
      archivePath: file,
      output: process.stdout,
    });
  });

program
  .command("restore")
  .description("restore a backup into an empty or missing DATA_DIR (stop the server first)")
  .argument("<file>", "archive written by zhiku backup")
  .action(async (file: string) => {
    const { runRestore } = await import("./restore-command.js");
    const { parseCliEnv } = await import("./cli-env.js");
    await runRestore({
      dataDir: parseCliEnv(process.env).DATA_DIR,
      archivePath: file,
      output: process.stdout,
    });
  });

program
  .command("reembed")
  .description("re-embed a workspace with the current EMBED_MODEL (after changing models)")
  .requiredOption("-w, --workspace <slug>", "workspace slug")
  .action(async (options: { workspace: string }) => {
    const { knowledgeBase } = await openFromEnv();
    try {
      const { chunks } = await knowledgeBase.reembed(options.workspace, {
        onProgress: (done, total) => {
          if (process.stderr.isTTY) process.stderr.write(`\rre-embedding ${done}/${total}`);
        },
      });
      if (process.stderr.isTTY) process.stderr.write("\r\x1b[K");
      process.stdout.write(
        `Re-embedded ${chunks} chunks of "${options.workspace}" with ${knowledgeBase.embedder.model}\n`,
      );
    } finally {
      await knowledgeBase.close();
    }
  });

program
  .command("eval")
  .description("measure retrieval (recall@1/5/10, MRR, nDCG@10, refusals) on a JSONL question set")
  .requiredOption("-w, --workspace <slug>", "workspace slug holding the documents the questions are about")
  .option("--json", "print the report as JSON", false)
  .option(
    "--modes <modes>",
    "comma-separated modes of fulltext, vector, hybrid, hybrid+rerank (default: fulltext,vector,hybrid, and hybrid+rerank with --rerank-url)",
  )
  .option(
    "--cutoff <similarity>",
    "cosine cut-off for refusals (default: the workspace's cut-off in force)",
    Number.parseFloat,
  )
  .option(
    "--rerank-url <url>",
    "a reranking server (POST /v1/rerank) for the hybrid+rerank mode (default: RERANK_URL)",
    httpUrl,
  )
  .option("--rerank-model <model>", "the reranker's model (default: RERANK_MODEL, bge-reranker-v2-m3)")
  .option("--rerank-timeout <ms>", "longest wait for one rerank request", positiveInteger, 30_000)
  .argument("<questions>", 'JSONL file: {"id","question","expected":[document names],"lang"?} per line')
  .action(
    async (
      questionsPath: string,
      options: {
        workspace: string;
        json: boolean;
        modes?: string;
        cutoff?: number;
        rerankUrl?: string;
        rerankModel?: string;
        rerankTimeout: number;
      },
    ) => {
      const { EVAL_MODES } = await import("../eval/evaluate.js");
      const { parseCliEnv } = await import("./cli-env.js");
      const environment = parseCliEnv(process.env);
      const rerankUrl = options.rerankUrl ?? environment.RERANK_URL;
      const defaultModes = rerankUrl ? "fulltext,vector,hybrid,hybrid+rerank" : "fulltext,vector,hybrid";
      const modes = (options.modes ?? defaultModes).split(",").map((mode) => mode.trim());
      const unknown = modes.filter((mode) => !(EVAL_MODES as readonly string[]).includes(mode));
      if (unknown.length > 0) throw new InvalidArgumentError(`--modes: unknown mode ${unknown.join(", ")}`);
      if (modes.includes("hybrid+rerank") && !rerankUrl)
        throw new InvalidArgumentError("--modes: hybrid+rerank needs --rerank-url (or RERANK_URL)");
      const { runEval } = await import("./eval-command.js");
      // Eval waits longer than a search would: a slow reranker should not spoil the figures.
      const { env, knowledgeBase } = await openFromEnv(
        rerankUrl
          ? {
              url: rerankUrl,
              model: options.rerankModel ?? environment.RERANK_MODEL,
              timeoutMs: options.rerankTimeout,
            }
          : undefined,
      );
      try {
        await runEval({
          knowledgeBase,
          workspace: options.workspace,
          questionsPath,
          modes: modes as (typeof EVAL_MODES)[number][],
          ...(options.cutoff === undefined ? {} : { relevanceCutoff: options.cutoff }),
          json: options.json,
          ollamaHost: env.OLLAMA_HOST,
          ...(rerankUrl ? { rerankUrl } : {}),
          output: process.stdout,
          errorOutput: process.stderr,
        });
      } finally {
        await knowledgeBase.close();
      }
    },
  );

/** The `zhiku` program with the ingest package's commands; the server package's `zhiku` adds `mcp` to it. */
export const cliProgram: Command = program;

/** Runs a `zhiku` program: a failure prints `zhiku: message (code)` and exits with code 2. */
export async function runCli(target: Command, argv: readonly string[] = process.argv): Promise<void> {
  try {
    await target.parseAsync(argv);
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    process.stderr.write(
      `zhiku: ${error instanceof Error ? error.message : String(error)}${typeof code === "string" && code.includes(":") ? ` (${code})` : ""}\n`,
    );
    process.exitCode = 2;
  }
}

// Run when started as a script (`node dist/cli/main.js`), not when the server's `zhiku` imports the program.
if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url))
  await runCli(program);
