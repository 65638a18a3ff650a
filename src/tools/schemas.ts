// Input schema pieces shared by the tool domains (identifiers, paging), validated once at start-up.
import { z } from 'zod';
import { AppError } from '../errors.js';
import { withExample } from './examples.js';

// Airflow ids: DAG and task ids are [A-Za-z0-9_.-]; run ids are freer (e.g. manual__2024-01-01T00:00:00+00:00).
export const dagId = withExample(
  z
    .string()
    .min(1)
    .max(250)
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be a DAG id (letters, digits, _ . -)'),
  'example_dag',
  'a DAG id (letters, digits, _ . -)',
);
export const taskId = withExample(
  z
    .string()
    .min(1)
    .max(250)
    .regex(/^[A-Za-z0-9_.-]+$/, 'must be a task id (letters, digits, _ . -)'),
  'extract',
  'a task id (letters, digits, _ . -)',
);
export const runId = withExample(
  z
    .string()
    .min(1)
    .max(250)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
    .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'must be a DAG run id without slashes or control characters')
    .refine((s) => s !== '.' && s !== '..', 'must be a DAG run id'),
  'manual__2026-01-31T00:00:00+00:00',
  'a DAG run id as list_dag_runs shows it',
);
export const mapIndex = z.number().int().min(-1).max(1_000_000).describe('-1 = not mapped');
// A date alone means its midnight UTC, and a date-time without an offset is UTC: intent is unambiguous.
const ISO_DATE = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?)(Z|[+-]\d{2}:?\d{2})?)?$/i;

export function normaliseIsoDate(value: string): string | undefined {
  const m = ISO_DATE.exec(value.trim());
  if (!m) return undefined;
  const [, date, time, zone] = m;
  const text = `${date}T${time ? (time.length === 5 ? `${time}:00` : time) : '00:00:00'}${zone ? zone.toUpperCase() : 'Z'}`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return undefined;
  // Reject dates the parser rolls over (2026-02-30): the calendar day must survive the round trip.
  if (!zone && new Date(ms).toISOString().slice(0, 10) !== date) return undefined;
  return text;
}

// No description on the wire: the field names say "date" and the server instructions say ISO 8601.
export const isoDate = withExample(
  z
    .string()
    .max(64)
    .transform((value, ctx) => {
      const normalised = normaliseIsoDate(value);
      if (normalised === undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `${JSON.stringify(value.slice(0, 40))} is not an ISO 8601 date or date-time`,
        });
        return z.NEVER;
      }
      return normalised;
    }),
  '2026-01-31',
  'an ISO 8601 date or date-time (a date alone is midnight UTC)',
);

export const paging = (defaultLimit = 25) => ({
  limit: z.number().int().min(1).max(100).default(defaultLimit),
  offset: z.number().int().min(0).max(10_000_000).default(0),
});

/** Drops null, undefined and empty-array fields: the agent pays for every byte. */
export function compact<T extends Record<string, unknown>>(record: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v === null || v === undefined) continue;
    if (Array.isArray(v) && v.length === 0) continue;
    out[k] = v;
  }
  return out as Partial<T>;
}

export function clip(text: string | null, max: number): string | null {
  if (text === null) return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Replaces the generic not-found hint with the list tool that shows valid ids for this kind of object. */
export function hintNotFound(listTool: string) {
  return (error: unknown): never => {
    if (error instanceof AppError && error.code === 'not_found') {
      throw new AppError('not_found', error.message, {
        hint: `${listTool} shows the valid ones.`,
        ...(error.status !== undefined ? { status: error.status } : {}),
      });
    }
    throw error;
  };
}
