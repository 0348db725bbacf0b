import { readFile } from "node:fs/promises";
import { SingleBar } from "cli-progress";
import { isZhikuError } from "../errors.js";
import type { IngestProgress, KnowledgeBase } from "../knowledge-base.js";
import type { OcrReport } from "../ocr/ocr-types.js";
import { collectFiles } from "./collect-files.js";

/** Files stored per write: one LanceDB commit costs about as much as parsing a small document. */
const BATCH_FILES = 32;
/** Bytes of originals held in memory per batch at most. */
const BATCH_BYTES = 16 * 1024 * 1024;
/**
 * Files from this size are ingested each on its own, beside the batches: a batch is stored once every file in it is
 * embedded, so one large file (thousands of chunks) would hold back every small file of its batch.
 */
const LARGE_FILE_BYTES = 1024 * 1024;
/** Large files ingested at once beside the batches. */
const LARGE_FILES_AT_ONCE = 2;

/** Options for {@link runIngest}. */
export interface RunIngestOptions {
  knowledgeBase: KnowledgeBase;
  /** Workspace slug; created when missing. */
  workspace: string;
  /** Files and folders to ingest. */
  paths: string[];
  /** Largest accepted file in bytes. */
  maxBytes: number;
  /** Where progress and the summary go. */
  output: NodeJS.WritableStream & { isTTY?: boolean };
}

/** Counts of what an ingest run did, and the reason for each failed file. */
export interface IngestSummary {
  ingested: number;
  skipped: number;
  failed: { name: string; reason: string }[];
}

/** The failure message, prefixed with the file name unless it already names the file. */
function withName(name: string, message: string): string {
  return message.includes(name) ? message : `${name}: ${message}`;
}

function describe(progress: IngestProgress): string {
  if (progress.stage === "embedding") return `embedding ${progress.done}/${progress.total}`;
  if (progress.stage === "ocr") return `ocr page ${progress.page}/${progress.pages}`;
  return progress.stage;
}

/**
 * One line on what OCR read: `OCR pages 2, 3: confidence 92.6, 2 low-confidence words: p.2 l.4 "帧" (41), …`. Printed
 * with or without the progress bar, so the doubtful places of a scan are never silently dropped.
 */
export function describeOcr(report: OcrReport): string {
  const shown = report.lowConfidence
    .slice(0, 5)
    .map((word) => `p.${word.page} l.${word.line} "${word.text}" (${Math.round(word.confidence)})`);
  const more = report.lowConfidenceCount > shown.length ? ", …" : "";
  return (
    `OCR page${report.pages.length === 1 ? "" : "s"} ${report.pages.join(", ")}: confidence ${report.confidence}, ` +
    `${report.lowConfidenceCount} low-confidence word${report.lowConfidenceCount === 1 ? "" : "s"}` +
    (shown.length > 0 ? `: ${shown.join(", ")}${more}` : "")
  );
}

/**
 * Ingests files and folders into a workspace in batches (a large file on its own, beside them), each failing alone,
 * with a progress bar on a terminal and one plain line per file otherwise; prints a summary and returns it.
 */
export async function runIngest(options: RunIngestOptions): Promise<IngestSummary> {
  const { knowledgeBase, workspace, output } = options;
  const files = await collectFiles(options.paths);
  const summary: IngestSummary = { ingested: 0, skipped: 0, failed: [] };
  const bar = output.isTTY
    ? new SingleBar({
        stream: output,
        format: "{bar} {value}/{total} files | {name} {stage}",
        hideCursor: true,
        clearOnComplete: true,
      })
    : undefined;
  bar?.start(files.length, 0, { name: "", stage: "" });
  const line = (text: string) => {
    if (bar) {
      // Write above the bar, then redraw it.
      bar.stop();
      output.write(`${text}\n`);
      bar.start(files.length, summary.ingested + summary.skipped + summary.failed.length, {
        name: "",
        stage: "",
      });
    } else {
      output.write(`${text}\n`);
    }
  };
  const fail = (name: string, error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    summary.failed.push({ name, reason: message });
    line(`failed   ${withName(name, message)}`);
  };
  // Once Ollama is known to be unreachable, the remaining files fail at once instead of each waiting on retries.
  let ollamaDown: unknown;
  const batch: { name: string; bytes: Uint8Array }[] = [];
  let batchBytes = 0;
  const ingest = async (items: { name: string; bytes: Uint8Array }[]) => {
    const results = await knowledgeBase.ingestBatch(
      items.map(({ name, bytes }) => ({
        workspace,
        name,
        bytes,
        maxBytes: options.maxBytes,
        onProgress: (progress: IngestProgress) => bar?.update({ name, stage: describe(progress) }),
      })),
    );
    results.forEach((result, position) => {
      const { name } = items[position]!;
      if ("error" in result) {
        fail(name, result.error);
        if (isZhikuError(result.error, "unavailable:ollama")) ollamaDown = result.error;
      } else if (result.status === "skipped") {
        summary.skipped++;
        if (!bar) line(`skipped  ${name} (unchanged)`);
      } else {
        summary.ingested++;
        if (!bar) line(`ingested ${name} (${result.document.chunks} chunks)`);
        if (result.ocr) line(`  ${describeOcr(result.ocr)}`);
      }
      bar?.increment(1, { name: "", stage: "" });
    });
  };
  const flush = async () => {
    const items = batch.splice(0);
    batchBytes = 0;
    if (items.length > 0) await ingest(items);
  };
  /** Large files being ingested beside the batches. */
  const alone = new Set<Promise<void>>();

  for (const file of files) {
    bar?.update({ name: file.name, stage: "reading" });
    if (ollamaDown) {
      fail(file.name, ollamaDown);
      bar?.increment(1, { name: "", stage: "" });
      continue;
    }
    if (file.bytes > options.maxBytes) {
      fail(
        file.name,
        `file is ${(file.bytes / 1024 / 1024).toFixed(1)} MB, over the ${(options.maxBytes / 1024 / 1024).toFixed(1)} MB limit (MAX_UPLOAD_MB)`,
      );
      bar?.increment(1, { name: "", stage: "" });
      continue;
    }
    const item = { name: file.name, bytes: new Uint8Array(await readFile(file.path)) };
    if (file.bytes >= LARGE_FILE_BYTES) {
      const running: Promise<void> = ingest([item])
        .catch((error: unknown) => fail(item.name, error))
        .finally(() => alone.delete(running));
      alone.add(running);
      if (alone.size >= LARGE_FILES_AT_ONCE) await Promise.race(alone);
      continue;
    }
    batch.push(item);
    batchBytes += file.bytes;
    if (batch.length >= BATCH_FILES || batchBytes >= BATCH_BYTES) await flush();
  }
  await Promise.all([flush(), ...alone]);
  bar?.stop();
  if (summary.ingested > 0 && knowledgeBase.getWorkspace(workspace)) {
    // LanceDB rewrites the workspace's table to fold new chunks in: seconds for a big workspace, so say so.
    output.write(`updating the search indexes of workspace "${workspace}"…\n`);
    await knowledgeBase.optimize(workspace);
    await calibrateOrSay(knowledgeBase, workspace, output);
  }

  output.write(
    `\n${summary.ingested} ingested, ${summary.skipped} skipped (unchanged), ${summary.failed.length} failed` +
      ` — workspace "${workspace}"\n`,
  );
  for (const failure of summary.failed) output.write(`  ✗ ${withName(failure.name, failure.reason)}\n`);
  return summary;
}

/**
 * Measures the workspace's refusal cut-off when it is new or has grown (see `refreshRelevanceCalibration`). When
 * Ollama fails now the documents are in all the same: the measurement waits for the next run, and says so.
 */
async function calibrateOrSay(
  knowledgeBase: KnowledgeBase,
  workspace: string,
  output: NodeJS.WritableStream,
): Promise<void> {
  try {
    await knowledgeBase.refreshRelevanceCalibration(workspace);
  } catch (error) {
    output.write(
      `could not measure the relevance cut-off of workspace "${workspace}" (${error instanceof Error ? error.message : String(error)}); the next ingest tries again\n`,
    );
  }
}
