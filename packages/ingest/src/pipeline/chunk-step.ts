import { chunkDocument } from "../chunk/index.js";
import { ZhikuError } from "../errors.js";
import type { Chunk, ChunkOptions, ParsedDocument } from "../types.js";

/**
 * Splits a parsed document into chunks (see `chunk/`).
 * @throws ZhikuError `invalid:empty` naming the file when it holds no text.
 */
export function chunkParsed(options: {
  parsed: ParsedDocument;
  name: string;
  chunkOptions: ChunkOptions | undefined;
}): Chunk[] {
  const chunks = chunkDocument(options.parsed, options.chunkOptions);
  if (chunks.length === 0)
    throw new ZhikuError("invalid:empty", `${options.name}: no text found in the file`);
  return chunks;
}
