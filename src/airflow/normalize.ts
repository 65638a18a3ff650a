// Small helpers shared by both adapters for turning Airflow's loose JSON into normalised shapes.
import type { Page, PageQuery } from './types.js';

export type Json = Record<string, unknown>;

export function obj(value: unknown): Json {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

export function str(value: unknown): string | null {
  return typeof value === 'string' ? value : value === undefined || value === null ? null : String(value);
}

export function num(value: unknown): number | null {
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

export function bool(value: unknown): boolean | null {
  return typeof value === 'boolean' ? value : null;
}

export function strings(value: unknown): string[] {
  if (!Array.isArray(value)) return [];
  return value
    .map((v) => (typeof v === 'string' ? v : str(obj(v).name)))
    .filter((v): v is string => typeof v === 'string');
}

/** Builds a page from Airflow's `{<key>: [...], total_entries}` list answer. */
export function page<T>(body: unknown, key: string, q: PageQuery, map: (item: Json) => T): Page<T> {
  const b = obj(body);
  const raw = Array.isArray(b[key]) ? (b[key] as unknown[]) : [];
  const items = raw.map((item) => map(obj(item)));
  const total = num(b.total_entries) ?? q.offset + items.length;
  const next = q.offset + items.length;
  return {
    items,
    total_entries: total,
    offset: q.offset,
    limit: q.limit,
    next_offset: items.length > 0 && next < total ? next : null,
  };
}
