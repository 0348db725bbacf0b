import { boilerplateRanges, normalizeForIndex, withoutRanges } from "../clean/index.js";
import type { Chunk, ParsedDocument } from "../types.js";
import { type IngestStep, parsedOf } from "./ingest-step.js";

/**
 * What the full-text index and the embedder see for each chunk of a document: its heading path (and the document
 * title) as context, then its text without boilerplate (see {@link boilerplateRanges}: judged over the whole
 * document, once), normalised. Empty for a chunk that is all boilerplate.
 */
export function indexTextsOf(options: {
  parsed: ParsedDocument;
  chunks: readonly Chunk[];
  /** Judges a line as it stands in the document; leave it out when the document has no repeated lines. */
  isBoilerplate?: (line: string) => boolean;
  /** Prefix the title and heading path (default true). */
  headingContext?: boolean;
}): string[] {
  const { parsed } = options;
  const excluded = boilerplateRanges(parsed.text, options.isBoilerplate);
  return options.chunks.map((chunk) => {
    const body = normalizeForIndex(withoutRanges(chunk.text, chunk.start, excluded));
    if (body.length === 0) return "";
    if (options.headingContext === false) return body;
    const context = [parsed.title, ...chunk.headings].filter(
      (part, index, parts): part is string => Boolean(part) && parts.indexOf(part) === index,
    );
    return context.length > 0 ? `${normalizeForIndex(context.join(" > "))}\n${body}` : body;
  });
}

/** Options for {@link createIndexTextStep}. */
export interface IndexTextStepOptions {
  /**
   * Whether the index text of a chunk starts with its document title and heading path. It lifts recall for
   * questions phrased like the section title (bench/results).
   */
  headingContext: boolean;
}

/** Step 4: the index text of each chunk; chunks that are all boilerplate are not indexed at all. */
export function createIndexTextStep(options: IndexTextStepOptions): IngestStep {
  return {
    name: "index-text",
    run(draft) {
      const indexTexts = indexTextsOf({
        parsed: parsedOf(draft, "index-text"),
        chunks: draft.chunks,
        headingContext: options.headingContext,
        isBoilerplate: draft.isBoilerplate,
      });
      const indexed = draft.chunks
        .map((chunk, position) => ({ chunk, indexText: indexTexts[position]! }))
        .filter((candidate) => candidate.indexText.length > 0);
      return { ...draft, indexed };
    },
  };
}
