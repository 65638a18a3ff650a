// Schedule presentation: human timetable descriptions and the next scheduled run of a DAG.
import type { DagState } from './model.js';

const SUMMARY: Record<string, string> = {
  '@daily': 'At 00:00',
  '@hourly': 'At 0 minutes past the hour',
  '@weekly': 'At 00:00, only on Sunday',
  '0 2 * * *': 'At 02:00',
  '0 6 * * *': 'At 06:00',
  '0 3 * * 1': 'At 03:00, only on Monday',
  '0 */6 * * *': 'At 0 minutes past the hour, every 6 hours',
  '*/30 * * * *': 'Every 30 minutes',
};

export function timetableDescription(s: string | null): string {
  if (s === null) return 'Never, external triggers only';
  if (s === 'asset') return 'Triggered by assets';
  return SUMMARY[s] ?? s;
}

export function nextRun(d: DagState, now: number): number | null {
  const p = d.def.periodMs;
  if (d.paused || d.def.stale || p === null || d.def.schedule === 'asset') return null;
  return Math.floor(now / p) * p;
}
