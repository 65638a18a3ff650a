// Example values of shared input schemas, quoted in argument errors but kept out of tools/list.
import type { z } from 'zod';

export interface SchemaExample {
  example: unknown;
  /** What a valid value is, in words, when the schema alone does not say it well. */
  expected?: string;
}

const EXAMPLES = new WeakMap<z.ZodType, SchemaExample>();

/** Registers a valid value of `schema` (and of anything wrapping it, e.g. `.optional()`). */
export function withExample<S extends z.ZodType>(schema: S, example: z.input<S>, expected?: string): S {
  EXAMPLES.set(schema, { example, ...(expected ? { expected } : {}) });
  return schema;
}

export function exampleFor(schema: z.ZodType): SchemaExample | undefined {
  return EXAMPLES.get(schema);
}
