import { describe, expect, it } from 'vitest';
import { logLineV2 } from '../../../src/airflow/adapter-v2-map.js';

describe('logLineV2 (Airflow 3 structured log lines)', () => {
  it('renders timestamp, level and event', () => {
    expect(logLineV2({ timestamp: '2026-01-01T00:00:00Z', level: 'info', event: 'hello' })).toBe(
      '[2026-01-01T00:00:00Z] INFO - hello',
    );
  });

  it('renders error_detail as a Python traceback so error filters and humans find the exception', () => {
    const frames = Array.from({ length: 8 }, (_, i) => ({
      filename: `/f${i}.py`,
      lineno: i,
      name: `fn${i}`,
    }));
    const line = logLineV2({
      timestamp: 't',
      level: 'error',
      event: 'Task failed with exception',
      error_detail: [{ exc_type: 'ValueError', exc_value: 'E2E_KNOWN_ERROR simulated failure', frames }],
    });
    expect(line.split('\n')).toEqual([
      '[t] ERROR - Task failed with exception',
      'Traceback (most recent call last):',
      '  ... 3 earlier frames ...',
      '  File "/f3.py", line 3, in fn3',
      '  File "/f4.py", line 4, in fn4',
      '  File "/f5.py", line 5, in fn5',
      '  File "/f6.py", line 6, in fn6',
      '  File "/f7.py", line 7, in fn7',
      'ValueError: E2E_KNOWN_ERROR simulated failure',
    ]);
  });
});
