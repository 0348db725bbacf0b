import { Document } from "@langchain/core/documents";
import { TextSplitter, type TextSplitterChunkHeaderOptions } from "@langchain/textsplitters";
import { type Chunk, chunkDocument, countTokens } from "@zhiku/ingest";

/** Options of {@link ZhikuTextSplitter}; sizes are in tokens (Zhiku's estimate), not characters. */
export interface ZhikuTextSplitterInput {
  /** Largest chunk, in tokens. Default 500, as Zhiku indexes. */
  chunkSize?: number;
  /** Tokens of a chunk repeated at the start of the next. Default 75. */
  chunkOverlap?: number;
}

/** What each split document's `metadata` gains, besides what the input document had. */
export interface ZhikuSplitMetadata {
  /** Offset of the chunk's first character in the input text (UTF-16 code units). */
  start: number;
  /** Offset one past its last character: `text.slice(start, end)` is the chunk. */
  end: number;
  /** Position of the chunk in its text, from 0. */
  chunkIndex: number;
  /** Estimated tokens. */
  tokens: number;
  /** Lines the chunk spans, as LangChain's own splitters report them. */
  loc: { lines: { from: number; to: number } };
}

/**
 * LangChain's `TextSplitter` on Zhiku's chunker: chunks end at paragraphs, then at Chinese and English sentence ends
 * (。！？；. ! ?), sized in tokens with CJK counted per character, never mid-word. Each chunk is the input text sliced
 * at `metadata.start`…`metadata.end`, so a citation can point back into the original.
 */
export class ZhikuTextSplitter extends TextSplitter {
  static override lc_name(): string {
    return "ZhikuTextSplitter";
  }

  constructor(input: ZhikuTextSplitterInput = {}) {
    super({
      chunkSize: input.chunkSize ?? 500,
      chunkOverlap: input.chunkOverlap ?? 75,
      lengthFunction: countTokens,
    });
  }

  /** The chunks of a text, as strings. */
  async splitText(text: string): Promise<string[]> {
    return this.#chunks(text).map((chunk) => chunk.text);
  }

  /** Documents for the chunks of each text, with their offsets and line span (see {@link ZhikuSplitMetadata}). */
  override async createDocuments(
    texts: string[],
    metadatas: Record<string, unknown>[] = [],
    chunkHeaderOptions: TextSplitterChunkHeaderOptions = {},
  ): Promise<Document[]> {
    const header = chunkHeaderOptions.chunkHeader ?? "";
    return texts.flatMap((text, position) =>
      this.#chunks(text).map((chunk) => {
        const metadata: Record<string, unknown> & ZhikuSplitMetadata = {
          ...(metadatas[position] ?? {}),
          start: chunk.start,
          end: chunk.end,
          chunkIndex: chunk.index,
          tokens: chunk.tokens,
          loc: { lines: { from: lineAt(text, chunk.start), to: lineAt(text, chunk.end - 1) } },
        };
        return new Document({ pageContent: `${header}${chunk.text}`, metadata });
      }),
    );
  }

  #chunks(text: string): Chunk[] {
    if (text.trim().length === 0) return [];
    return chunkDocument(
      { type: "text", text, sections: [{ headings: [], start: 0, end: text.length }] },
      { chunkSize: this.chunkSize, chunkOverlap: this.chunkOverlap },
    );
  }
}

/** 1-based line number of an offset. */
function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let index = text.indexOf("\n"); index !== -1 && index < offset; index = text.indexOf("\n", index + 1))
    line++;
  return line;
}
