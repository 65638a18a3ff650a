// Request context, replies, typed HTTP errors and query/body parsing shared by all simulator routes.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimRole } from './types.js';

export type ApiVersion = 'v1' | 'v2';

export interface Ctx {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly v: ApiVersion;
  readonly params: Record<string, string>;
  readonly query: URLSearchParams;
  readonly body: unknown;
  readonly user: string | null;
  readonly now: number;
}

export interface Reply {
  status: number;
  body?: unknown;
  text?: string;
  headers?: Record<string, string>;
}

/** Thrown by handlers; the server renders it in the dialect of the API version (v2 `{detail}`, v1 RFC 7807). */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly detail: unknown,
    readonly title?: string,
    readonly headers?: Record<string, string>,
  ) {
    super(typeof detail === 'string' ? detail : `HTTP ${status}`);
  }
}

const V1_TYPES: Record<number, [string, string]> = {
  400: ['BadRequest', 'Bad Request'],
  401: ['Unauthenticated', 'Unauthorized'],
  403: ['PermissionDenied', 'Forbidden'],
  404: ['NotFound', 'Not Found'],
  405: ['MethodNotAllowed', 'Method Not Allowed'],
  409: ['AlreadyExists', 'Conflict'],
  500: ['Unknown', 'Internal Server Error'],
};
const V1_DOCS =
  'https://airflow.apache.org/docs/apache-airflow/2.11.0/stable-rest-api-ref.html#section/Errors/';

export function errorBody(v: ApiVersion, err: HttpError): unknown {
  if (v === 'v2') return { detail: err.detail };
  const [type, title] = V1_TYPES[err.status] ?? ['Unknown', 'Error'];
  return { detail: err.detail, status: err.status, title: err.title ?? title, type: V1_DOCS + type };
}

export const ok = (body: unknown, status = 200): Reply => ({ status, body });
export const noContent = (): Reply => ({ status: 204 });

export function notFound(v: ApiVersion, detail: string, title?: string): HttpError {
  return new HttpError(404, detail, v === 'v1' ? title : undefined);
}

/** Pydantic-style 422 entry, as FastAPI renders request validation failures. */
export interface ValidationIssue {
  type: string;
  loc: (string | number)[];
  msg: string;
  input: unknown;
}

export function validation(v: ApiVersion, issues: ValidationIssue[]): HttpError {
  if (v === 'v2') return new HttpError(422, issues);
  const first = issues[0];
  return new HttpError(400, first ? `${first.loc.join('.')}: ${first.msg}` : 'Invalid request');
}

export function intParam(ctx: Ctx, name: string, def: number, max?: number): number {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    throw validation(ctx.v, [
      {
        type: 'int_parsing',
        loc: ['query', name],
        msg: 'Input should be a valid integer, unable to parse string as an integer',
        input: raw,
      },
    ]);
  }
  if (n < 0) {
    throw validation(ctx.v, [
      {
        type: 'greater_than_equal',
        loc: ['query', name],
        msg: 'Input should be greater than or equal to 0',
        input: raw,
      },
    ]);
  }
  return max !== undefined ? Math.min(n, max) : n;
}

/** limit/offset with Airflow's defaults: limit 50, capped at `[api] maximum_page_limit` (100). */
export function page(ctx: Ctx): { limit: number; offset: number } {
  return { limit: intParam(ctx, 'limit', 50, 100), offset: intParam(ctx, 'offset', 0) };
}

export function boolParam(ctx: Ctx, name: string): boolean | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const s = raw.toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(s)) return true;
  if (['false', '0', 'no', 'off'].includes(s)) return false;
  throw validation(ctx.v, [
    {
      type: 'bool_parsing',
      loc: ['query', name],
      msg: 'Input should be a valid boolean, unable to interpret input',
      input: raw,
    },
  ]);
}

/** Repeatable query parameter; v1 also accepts one comma-separated value (e.g. `dag_ids=a,b`). */
export function listParam(ctx: Ctx, name: string): string[] {
  const all = ctx.query.getAll(name);
  return all.flatMap((s) => s.split(',')).filter((s) => s !== '');
}

/**
 * A list parameter whose values must come from a fixed set: Airflow 3 answers 422 with the valid values
 * (e.g. `state`, `run_type` on runs and task instances); Airflow 2 is left lenient.
 */
export function enumListParam(
  ctx: Ctx,
  name: string,
  label: string,
  valid: readonly string[],
  alsoAccepted: readonly string[] = [],
): string[] {
  const values = listParam(ctx, name);
  if (ctx.v === 'v2' && values.some((v) => !valid.includes(v) && !alsoAccepted.includes(v))) {
    throw new HttpError(422, `Invalid value for ${label}. Valid values are ${valid.join(', ')}`);
  }
  return values;
}

/** Airflow 3.3 adds keyset-pagination fields to run and task-instance lists; null when paging by offset. */
export function cursorFields(ctx: Ctx): Record<string, null> {
  return ctx.v === 'v2' ? { total_entries_limit: null, next_cursor: null, previous_cursor: null } : {};
}

export function dateParam(ctx: Ctx, name: string): number | undefined {
  const raw = ctx.query.get(name);
  if (raw === null || raw === '') return undefined;
  const t = Date.parse(raw);
  if (Number.isNaN(t)) {
    throw validation(ctx.v, [
      {
        type: 'datetime_from_date_parsing',
        loc: ['query', name],
        msg: 'Input should be a valid datetime',
        input: raw,
      },
    ]);
  }
  return t;
}

/** SQL LIKE (`%`, `_`), case-insensitive, as Airflow's `*_pattern` filters. */
export function likeMatcher(pattern: string): (s: string) => boolean {
  const re = new RegExp(
    `^${pattern
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.')}$`,
    'i',
  );
  return (s) => re.test(s);
}

export function paginate<T>(items: T[], p: { limit: number; offset: number }): T[] {
  return items.slice(p.offset, p.offset + p.limit);
}

/** Python's `isoformat()` of a UTC datetime: no fraction at whole seconds, else microseconds. */
export function pyIso(ms: number, suffix: '+00:00' | 'Z'): string {
  const s = new Date(ms).toISOString();
  const frac = s.slice(20, 23);
  return frac === '000' ? `${s.slice(0, 19)}${suffix}` : `${s.slice(0, 19)}.${frac}000${suffix}`;
}

/** Airflow 2 (marshmallow) style: `+00:00` offset. */
export function iso(ms: number | null | undefined): string | null {
  return ms === null || ms === undefined ? null : pyIso(ms, '+00:00');
}

/** Datetime in the dialect of the API version: `Z` for Airflow 3 (pydantic), `+00:00` for Airflow 2. */
export function isoFor(v: ApiVersion, ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  return v === 'v2' ? pyIso(ms, 'Z') : pyIso(ms, '+00:00');
}

export function bodyObject(ctx: Ctx): Record<string, unknown> {
  const b = ctx.body;
  if (b === undefined || b === null || typeof b !== 'object' || Array.isArray(b)) {
    throw validation(ctx.v, [
      {
        type: 'model_attributes_type',
        loc: ['body'],
        msg: 'Input should be a valid dictionary or object',
        input: b ?? null,
      },
    ]);
  }
  return b as Record<string, unknown>;
}

/** Rejects unknown body fields like Airflow 3's `extra="forbid"` models. */
export function forbidExtra(ctx: Ctx, body: Record<string, unknown>, allowed: readonly string[]): void {
  if (ctx.v !== 'v2') return;
  const issues = Object.keys(body)
    .filter((k) => !allowed.includes(k))
    .map((k) => ({
      type: 'extra_forbidden',
      loc: ['body', k],
      msg: 'Extra inputs are not permitted',
      input: body[k],
    }));
  if (issues.length > 0) throw validation(ctx.v, issues);
}

export async function readBody(req: IncomingMessage, limit = 1 << 20): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, 'Request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

export const ROLE_RANK: Record<SimRole, number> = { viewer: 0, user: 1, op: 2, admin: 3 };
