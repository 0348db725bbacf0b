import type { z } from "zod";
import { ZhikuError } from "../errors.js";

/**
 * Reads a JSON Lines file whose every non-blank line must fit `schema`.
 * @throws ZhikuError `invalid:input` naming the source, the line and the field that is wrong, or saying there were
 * no `items` at all.
 */
export function parseJsonLines<T>(text: string, source: string, schema: z.ZodType<T>, items: string): T[] {
  const parsedLines: T[] = [];
  text.split("\n").forEach((line, index) => {
    if (line.trim().length === 0) return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new ZhikuError(
        "invalid:input",
        `${source}:${index + 1}: not valid JSON (${(error as Error).message})`,
      );
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new ZhikuError(
        "invalid:input",
        `${source}:${index + 1}: ${issue.path.join(".") || "line"}: ${issue.message}`,
      );
    }
    parsedLines.push(parsed.data);
  });
  if (parsedLines.length === 0) throw new ZhikuError("invalid:input", `${source}: no ${items}`);
  return parsedLines;
}
