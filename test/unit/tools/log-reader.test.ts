import { describe, expect, it } from 'vitest';
import type { AirflowAdapter } from '../../../src/airflow/adapter.js';
import { compilePattern, LEVEL_PATTERNS, readTaskLog } from '../../../src/tools/log-reader.js';

/** A fake adapter serving a log in pages of `pageSize` lines with opaque continuation tokens. */
function fakeLog(lines: string[], pageSize: number) {
  const requested: (string | undefined)[] = [];
  const adapter = {
    async getTaskLogPage(_d: string, _r: string, _t: string, _try: number, q: { token?: string }) {
      requested.push(q.token);
      const start = q.token ? Number(q.token.replace('tok-', '')) : 0;
      const end = Math.min(lines.length, start + pageSize);
      return { lines: lines.slice(start, end), continuation_token: end < lines.length ? `tok-${end}` : null };
    },
  } as unknown as AirflowAdapter;
  return { adapter, requested };
}

const base = {
  dagId: 'd',
  runId: 'r',
  taskId: 't',
  tryNumber: 1,
  maxBytes: 1_000_000,
  contextLines: 0,
  fetchBudgetBytes: 10_000_000,
  signal: new AbortController().signal,
};

describe('readTaskLog', () => {
  const lines = Array.from({ length: 1000 }, (_, i) => (i === 700 ? 'ERROR boom at 700' : `info line ${i}`));

  it('follows continuation tokens to the end and keeps only the tail', async () => {
    const { adapter, requested } = fakeLog(lines, 100);
    const r = await readTaskLog(adapter, { ...base, tailLines: 5 });
    expect(requested).toHaveLength(10);
    expect(r.lines).toEqual(lines.slice(995));
    expect(r.lines_scanned).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.continuation_token).toBeNull();
  });

  it('filters by level with context lines and counts matches', async () => {
    const { adapter } = fakeLog(lines, 100);
    const r = await readTaskLog(adapter, {
      ...base,
      tailLines: 50,
      match: LEVEL_PATTERNS.error,
      contextLines: 2,
    });
    expect(r.matched_lines).toBe(1);
    expect(r.lines).toEqual([
      'info line 698',
      'info line 699',
      'ERROR boom at 700',
      'info line 701',
      'info line 702',
    ]);
  });

  it('stops at the fetch budget and returns the token to continue', async () => {
    const { adapter } = fakeLog(lines, 100);
    const r = await readTaskLog(adapter, { ...base, tailLines: 10, fetchBudgetBytes: 2000 });
    expect(r.continuation_token).toMatch(/^tok-\d+$/);
    expect(r.lines_scanned).toBeLessThan(1000);
    const rest = await readTaskLog(adapter, { ...base, tailLines: 10, token: r.continuation_token! });
    expect(rest.lines.at(-1)).toBe('info line 999');
  });

  it('respects max_bytes by keeping the newest lines', async () => {
    const { adapter } = fakeLog(lines, 1000);
    const r = await readTaskLog(adapter, { ...base, tailLines: 1000, maxBytes: 100 });
    expect(r.lines.join('\n').length).toBeLessThanOrEqual(100);
    expect(r.lines.at(-1)).toBe('info line 999');
  });

  it('refuses an invalid pattern with invalid_argument', () => {
    expect(() => compilePattern('([')).toThrow(/not a valid regular expression/);
  });
});
