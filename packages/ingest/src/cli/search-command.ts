import type { KnowledgeBase, SearchMode } from "../knowledge-base.js";

/** Options for {@link runSearch}. */
export interface RunSearchOptions {
  knowledgeBase: KnowledgeBase;
  workspace: string;
  query: string;
  limit: number;
  mode: SearchMode;
  /** Print `{"results":[...]}` instead of a readable list. */
  json: boolean;
  output: NodeJS.WritableStream;
  /** Where notes go (a fallback to full text, a reranker that did not answer), so JSON output stays clean. */
  errorOutput: NodeJS.WritableStream;
}

/** Searches a workspace and prints the results, best first. */
export async function runSearch(options: RunSearchOptions): Promise<void> {
  const response = await options.knowledgeBase.search({
    workspace: options.workspace,
    query: options.query,
    limit: options.limit,
    mode: options.mode,
  });
  if (response.fallbackReason) {
    options.errorOutput.write(`note: searched full text only (${response.fallbackReason})\n`);
  }
  if (response.rerank?.fallbackReason) {
    options.errorOutput.write(`note: not reranked, in the fused order (${response.rerank.fallbackReason})\n`);
  }
  if (options.json) {
    const results = response.results.map((result) => ({
      documentName: result.documentName,
      documentId: result.documentId,
      chunkId: result.chunkId,
      text: result.text,
      score: result.score,
      page: result.page,
      headings: result.headings,
      relevance: result.relevance,
      ...(result.rerankScore === undefined ? {} : { rerankScore: result.rerankScore }),
      start: result.start,
      end: result.end,
    }));
    options.output.write(
      `${JSON.stringify({ results, ...(response.rerank === undefined ? {} : { rerank: response.rerank }) })}\n`,
    );
    return;
  }
  if (response.results.length === 0) {
    options.output.write("No results.\n");
    return;
  }
  response.results.forEach((result, position) => {
    const where = [result.headings.join(" › "), result.page ? `p. ${result.page}` : ""]
      .filter(Boolean)
      .join(" · ");
    const snippet = result.text.replace(/\s+/g, " ").trim();
    const score =
      result.rerankScore === undefined
        ? `score ${result.score.toFixed(4)}`
        : `rerank score ${result.rerankScore.toFixed(4)}`;
    options.output.write(
      `${position + 1}. ${result.documentName}${where ? ` — ${where}` : ""}  (${score})\n` +
        `   ${snippet.length > 240 ? `${snippet.slice(0, 240)}…` : snippet}\n\n`,
    );
  });
}
