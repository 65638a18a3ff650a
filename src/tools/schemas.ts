// Input schema pieces shared by the tool domains (identifiers, paging), validated once at start-up.
import { z } from 'zod';
import { AppError } from '../errors.js';

// Airflow ids: DAG and task ids are [A-Za-z0-9_.-]; run ids are freer (e.g. manual__2024-01-01T00:00:00+00:00).
export const dagId = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be a DAG id (letters, digits, _ . -)')
  .describe('DAG id');
export const taskId = z
  .string()
  .min(1)
  .max(250)
  .regex(/^[A-Za-z0-9_.-]+$/, 'must be a task id (letters, digits, _ . -)')
  .describe('Task id');
export const runId = z
  .string()
  .min(1)
  .max(250)
  // biome-ignore lint/suspicious/noControlCharactersInRegex: rejecting control characters is the point
  .regex(/^[^\u0000-\u001f\u007f/\\]+$/, 'must be a DAG run id without slashes or control characters')
  .refine((s) => s !== '.' && s !== '..', 'must be a DAG run id')
  .describe('DAG run id (as listed by list_dag_runs)');
export const mapIndex = z
  .number()
  .int()
  .min(-1)
  .max(1_000_000)
  .describe('Map index of a mapped task (-1 = not mapped)');
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

export const isoDate = z
  .string()
  .max(64)
  .transform((value, ctx) => {
    const normalised = normaliseIsoDate(value);
    if (normalised === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `${JSON.stringify(value.slice(0, 40))} is not an ISO 8601 date`,
      });
      return z.NEVER;
    }
    return normalised;
  })
  .describe('ISO 8601 date or date-time, UTC unless an offset is given, e.g. 2026-01-31');

export const paging = (defaultLimit = 25) => ({
  limit: z.number().int().min(1).max(100).default(defaultLimit).describe('Page size (max 100)'),
  offset: z
    .number()
    .int()
    .min(0)
    .max(10_000_000)
    .default(0)
    .describe('Entries to skip (next_offset of the previous page)'),
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
