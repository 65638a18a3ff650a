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
export const isoDate = z.iso
  .datetime({ offset: true })
  .describe('ISO 8601 date-time, e.g. 2026-01-31T00:00:00Z');

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
