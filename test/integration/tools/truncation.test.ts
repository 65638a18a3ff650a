// Results over MAX_OUTPUT_BYTES are cut with a notice; list results keep their shape and still match outputSchema.
import { describe, expect, it } from 'vitest';
import { useStack } from './stack.js';

const MAX = 2048;

describe.each(['sdk-v1', 'sdk-v2', 'sdk-v2-2026'] as const)(
  `truncation at ${MAX} bytes with %s (which validates outputSchema)`,
  (kind) => {
    const s = useStack('v2', { env: { MAX_OUTPUT_BYTES: String(MAX) }, client: kind });

    it.each([
      ['list_dags', { limit: 100, include_inactive: true }],
      ['list_dag_runs', { limit: 100 }],
      ['list_task_instances', { limit: 100 }],
      ['list_asset_events', { limit: 100 }],
    ])('%s drops items from the end and says where to continue', async (tool, args) => {
      const r = await s.client.callTool(tool, args);
      const text = r.content[0]!.text!;
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX);
      const body = r.structuredContent as {
        items: unknown[];
        truncated: boolean;
        next_offset: number;
        notice: { hint: string };
      };
      expect(body.truncated).toBe(true);
      expect(body.next_offset).toBe(body.items.length);
      expect(body.notice.hint).toContain(`offset=${body.items.length}`);
      expect(JSON.parse(text)).toEqual(body);
    });

    it('a large non-list result is cut as text with a notice', async () => {
      const r = await s.client.callTool('explore_dag', {
        dag_id: 'etl_daily_sales',
        source_max_chars: 20_000,
      });
      const text = r.content[0]!.text!;
      expect(Buffer.byteLength(text)).toBeLessThanOrEqual(MAX);
      expect(text).toContain('output_truncated');
    });

    it('get_task_logs fits its lines under the cap instead of being cut', async () => {
      const runs = s.ok('list_dag_runs', { dag_id: 'etl_daily_sales', state: ['success'], limit: 1 });
      const runId = ((await runs) as { items: { run_id: string }[] }).items[0]!.run_id;
      const logs = await s.ok('get_task_logs', {
        dag_id: 'etl_daily_sales',
        run_id: runId,
        task_id: 'load',
        tail_lines: 5000,
        max_bytes: 1_000_000,
      });
      expect(logs.truncated).toBe(true);
      expect((logs.lines as string[]).length).toBeGreaterThan(3);
      expect(logs).not.toHaveProperty('notice');
    });
  },
);
