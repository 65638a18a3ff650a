// Parses a tool call's arguments: lenient where intent is clear, else an error the model can act on.
//
// Why: MCP 2025-11-25 (SEP-1303) makes input validation failures tool execution errors, so the model reads
// them and retries. The message names the field, what was expected and an example of a valid value.
import type { z } from 'zod';
import type { ToolInputSchema } from '../tools/define-tool.js';
import { exampleFor, type SchemaExample } from '../tools/examples.js';

interface Def {
  type: string;
  innerType?: z.ZodType;
  in?: z.ZodType;
  element?: z.ZodType;
  shape?: Record<string, z.ZodType>;
  entries?: Record<string, string | number>;
  options?: z.ZodType[];
  values?: unknown[];
  checks?: { _zod: { def: { check: string; value?: number; minimum?: number } } }[];
}

function defOf(schema: z.ZodType): Def {
  return (schema as unknown as { _zod: { def: Def } })._zod.def;
}

/** The schema under optional/default/nullable/pipe wrappers: the one that says what a value must be. */
function core(schema: z.ZodType): z.ZodType {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    const d = defOf(s);
    if (d.innerType && (d.type === 'optional' || d.type === 'default' || d.type === 'nullable')) {
      s = d.innerType;
    } else if (d.type === 'pipe' && d.in) {
      s = d.in;
    } else break;
  }
  return s;
}

/** The first description met from the outside in (an optional's own, else the wrapped schema's). */
function descriptionOf(schema: z.ZodType): string | undefined {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 10; i++) {
    const own = (s as { description?: string }).description;
    if (own) return own;
    const d = defOf(s);
    s = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
  }
  return undefined;
}

function isStringLike(schema: z.ZodType): boolean {
  const t = defOf(core(schema)).type;
  return t === 'string' || t === 'enum' || t === 'literal';
}

/**
 * Lenient coercions where the intent is unambiguous: a single string where a list of strings is expected
 * becomes a one-item list. (Dates without a time are accepted by the date schema itself.)
 */
export function coerceArguments(
  schema: ToolInputSchema,
  args: Record<string, unknown>,
): Record<string, unknown> {
  let out: Record<string, unknown> | undefined;
  for (const [key, field] of Object.entries(schema.shape) as [string, z.ZodType][]) {
    const value = args[key];
    if (typeof value !== 'string') continue;
    const d = defOf(core(field));
    if (d.type === 'array' && d.element && isStringLike(d.element)) {
      out ??= { ...args };
      out[key] = [value];
    }
  }
  return out ?? args;
}

/** Example values by field name, for fields whose schema alone does not suggest a realistic one. */
const EXAMPLES_BY_NAME: Record<string, unknown> = {
  pool: 'default_pool',
  key: 'my_key',
  url: 'https://airflow.example.com/dags/example_dag/runs/manual__2026-01-31T00:00:00+00:00',
};

/** A registered example of the schema or of one it wraps (`dagId.optional()` is still a DAG id). */
function registered(schema: z.ZodType): SchemaExample | undefined {
  let s: z.ZodType | undefined = schema;
  for (let i = 0; s && i < 10; i++) {
    const found = exampleFor(s);
    if (found) return found;
    const d = defOf(s);
    s = d.innerType ?? (d.type === 'pipe' ? d.in : undefined);
  }
  return undefined;
}

function exampleOf(schema: z.ZodType, name: string | undefined): unknown {
  const known = registered(schema);
  if (known) return known.example;
  const outer = defOf(schema);
  if (outer.type === 'default') {
    const value = (outer as unknown as { defaultValue: unknown }).defaultValue;
    if (value !== undefined && typeof value !== 'object') return value;
  }
  const s = core(schema);
  const d = defOf(s);
  const description = descriptionOf(schema);
  switch (d.type) {
    case 'enum':
      return Object.values(d.entries ?? {})[0];
    case 'literal':
      return d.values?.[0];
    case 'boolean':
      return true;
    case 'number': {
      const min = d.checks?.map((c) => c._zod.def).find((c) => c.check === 'greater_than')?.value;
      return typeof min === 'number' && min > 1 ? min : 1;
    }
    case 'array':
      return d.element ? [exampleOf(d.element, name)] : [];
    case 'record':
    case 'object':
      return {};
    case 'union':
      return d.options?.[0] ? exampleOf(d.options[0], name) : undefined;
    case 'string': {
      if (name && name in EXAMPLES_BY_NAME) return EXAMPLES_BY_NAME[name];
      const eg = description && /e\.g\. (\S+)/.exec(description)?.[1];
      if (eg) return eg.replace(/[,;)]$/, '');
      return 'text';
    }
    default:
      return undefined;
  }
}

function fieldSchema(schema: ToolInputSchema, path: PropertyKey[]): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const key of path) {
    if (!s) return undefined;
    const d = defOf(core(s));
    if (d.type === 'object' && typeof key === 'string') s = d.shape?.[key];
    else if (d.type === 'array' && typeof key === 'number') s = d.element;
    else return undefined;
  }
  return s;
}

function expected(schema: z.ZodType): string {
  const known = registered(schema)?.expected;
  if (known) return known;
  const s = core(schema);
  const d = defOf(s);
  const described = descriptionOf(schema);
  switch (d.type) {
    case 'enum':
      return `one of ${Object.values(d.entries ?? {}).join(', ')}`;
    case 'array': {
      const el = d.element ? defOf(core(d.element)) : undefined;
      return el?.type === 'enum' ? `a list of ${Object.values(el.entries ?? {}).join(', ')}` : 'a list';
    }
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'object':
    case 'record':
      return 'a JSON object';
    default:
      return described ? `a string (${described})` : 'a string';
  }
}

export interface ArgumentProblem {
  field: string;
  message: string;
  hint: string;
}

/** One sentence per the first issue: the field, what was wrong and expected, and an example value. */
export function describeArgumentIssue(
  schema: ToolInputSchema,
  error: z.ZodError,
  args: Record<string, unknown>,
): ArgumentProblem {
  const issue = error.issues[0];
  if (!issue)
    return { field: 'arguments', message: 'Invalid arguments.', hint: 'Check the tool’s input schema.' };
  // For a bad list item, name the list: the example is a valid list.
  const listPath = typeof issue.path.at(-1) === 'number' ? issue.path.slice(0, -1) : issue.path;
  const field = listPath.length ? listPath.map(String).join('.') : 'arguments';
  const target = listPath.length ? fieldSchema(schema, listPath) : undefined;
  const name = typeof listPath.at(-1) === 'string' ? (listPath.at(-1) as string) : undefined;
  const missing = issue.path.length === 1 && args[String(issue.path[0])] === undefined;
  if (!target) {
    return {
      field,
      message: `Invalid argument ${field}: ${issue.message}.`,
      hint: 'Check the tool’s input schema in tools/list.',
    };
  }
  const what = expected(target);
  const example = exampleOf(target, name);
  const message = missing
    ? `Missing required argument ${field}: expected ${what}.`
    : `Invalid argument ${field}: ${issue.message.replace(/^Invalid input: /, '')}; expected ${what}.`;
  const hint =
    example === undefined
      ? 'Check the tool’s input schema in tools/list.'
      : `Example of a valid value: ${field}=${JSON.stringify(example)}.`;
  return { field, message, hint };
}
