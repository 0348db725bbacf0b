import type { ValidationTargets } from "hono";
import { validator } from "hono-openapi";
import type { z } from "zod";
import { validationError } from "../errors.js";

/**
 * Validates a request part with a zod schema and documents it in the OpenAPI description. A failure is
 * thrown as `invalid:<field>` (400), so every validation error has the API's one error shape.
 */
export function validate<Target extends keyof ValidationTargets, Schema extends z.ZodType>(
  target: Target,
  schema: Schema,
) {
  return validator(target, schema, (result) => {
    if (!result.success) throw validationError(target, result.error);
  });
}
