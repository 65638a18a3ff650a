// Judges JSON bodies nested too deeply or with too many values, before the SDK or a schema walks them.

/** Far beyond any tool's arguments (the deepest is ~4), far below what recursive walkers choke on. */
export const MAX_JSON_DEPTH = 64;
/** Every object key and array element counts; real requests carry a few dozen. */
export const MAX_JSON_VALUES = 10_000;

export type Complexity = { ok: true } | { ok: false; why: string };

/** Iterative walk (no recursion, so no stack overflow), stopping at the first limit crossed. */
export function checkComplexity(
  body: unknown,
  maxDepth = MAX_JSON_DEPTH,
  maxValues = MAX_JSON_VALUES,
): Complexity {
  const stack: [unknown, number][] = [[body, 1]];
  let values = 0;
  while (stack.length) {
    const [value, depth] = stack.pop()!;
    if (value === null || typeof value !== 'object') continue;
    if (depth > maxDepth) return { ok: false, why: `JSON nested deeper than ${maxDepth} levels` };
    const children = Array.isArray(value) ? value : Object.values(value);
    values += children.length;
    if (values > maxValues) return { ok: false, why: `JSON with more than ${maxValues} values` };
    for (const child of children)
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return { ok: true };
}

/** The id of a request refused as a whole, so the client can match the error to it. */
export function idOf(body: unknown): string | number | null {
  const id = (body as { id?: unknown } | null)?.id;
  return typeof id === 'string' || typeof id === 'number' ? id : null;
}
