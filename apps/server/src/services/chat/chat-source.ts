import { searchResultSchema } from "@zhiku/ingest";
import { z } from "zod";

/**
 * The one declaration of a passage given to the model: a search hit with the number the answer cites it by. It is
 * sent in the `sources` event and the JSON answer, and stored with the answer; {@link ChatSource} is derived from it.
 */
export const chatSourceSchema = z.object({
  index: z.number().describe("The number the answer cites it by, [index], from 1"),
  ...searchResultSchema.shape,
  relevance: z
    .number()
    .nullable()
    .optional()
    .describe(
      "Cosine similarity to the question, 0 to 1; null when the passage was found by full text only (a keyword match). Absent in answers stored before it was added",
    ),
});

/** A passage given to the model; see {@link chatSourceSchema}. */
export type ChatSource = z.infer<typeof chatSourceSchema>;
