// Workflow tools over MCP on both Airflow APIs: explore_dag, diagnose_dag_run, get_system_health, with partial failures.
import { describe, expect, it } from 'vitest';
import { FAILURE_LINE } from '../../../src/sim/index.js';
import { APIS, type Page, useStack } from './stack.js';

describe.each(APIS)('workflow tools on Airflow %s', (api) => {
  const s = useStack(api, { sim: { runDurationMs: 900 } });

  async function failedRun(): Promise<string> {
    const page = (await s.ok('list_dag_runs', {
      dag_id: 'example_failing',
      state: ['failed'],
      limit: 1,
    })) as unknown as Page;
    return String(page.items[0]!.run_id);
  }

  it('explore_dag gathers details, tasks, recent runs and source', async () => {
    const x = await s.ok('explore_dag', { dag_id: 'etl_daily_sales', recent_runs: 2, source_max_chars: 200 });
    expect(x.dag).toMatchObject({ dag_id: 'etl_daily_sales', schedule: '@daily' });
    expect((x.tasks as unknown[]).length).toBe(3);
    expect((x.recent_runs as { items: unknown[] }).items).toHaveLength(2);
    // The start of the very source a long enough cap returns whole: 199 characters and an ellipsis.
    const whole = await s.ok('explore_dag', { dag_id: 'etl_daily_sales', source_max_chars: 50_000 });
    const full = (whole.source as { content: string }).content;
    expect(full.length).toBeGreaterThan(200);
    expect(x.source).toEqual({ content: `${full.slice(0, 199)}…`, truncated: true });
    expect(x).not.toHaveProperty('unavailable');
  });

  it('explore_dag reports a failed part and keeps the rest', async () => {
    s.sim.setFault({ match: { pathIncludes: '/dagSources/' }, status: 500, body: { detail: 'boom' } });
    try {
      const x = await s.ok('explore_dag', { dag_id: 'etl_daily_sales' });
      expect((x.tasks as { task_id: string }[]).map((t) => t.task_id)).toEqual([
        'extract',
        'load',
        'transform',
      ]);
      expect(x).not.toHaveProperty('source');
      expect(x.unavailable).toMatchObject({ source: { code: 'upstream_unavailable' } });
    } finally {
      s.sim.setFault(null);
    }
    expect(await s.fails('explore_dag', { dag_id: 'nope' })).toMatchObject({ code: 'not_found' });
  });

  it('diagnose_dag_run shows task states and the error lines of the failed task', async () => {
    const runId = await failedRun();
    const d = await s.ok('diagnose_dag_run', { dag_id: 'example_failing', run_id: runId });
    expect(d.task_states).toEqual({ success: 1, failed: 1, upstream_failed: 2 });
    const [failed] = d.failed_tasks as { task_id: string; error_lines: string[] }[];
    expect(failed!.task_id).toBe('transform');
    expect(failed!.error_lines.join('\n')).toContain(FAILURE_LINE('transform'));
    expect(d.upstream_failed).toEqual(expect.arrayContaining(['load', 'notify']));
    expect(await s.fails('diagnose_dag_run', { dag_id: 'example_failing', run_id: 'missing' })).toMatchObject(
      {
        code: 'not_found',
      },
    );
  });

  it('diagnose_dag_run says which log could not be read', async () => {
    const runId = await failedRun();
    s.sim.setFault({ match: { pathIncludes: '/logs/' }, status: 503, body: { detail: 'log server down' } });
    try {
      const d = await s.ok('diagnose_dag_run', { dag_id: 'example_failing', run_id: runId });
      expect((d.failed_tasks as { log_unavailable: unknown }[])[0]!.log_unavailable).toMatchObject({
        code: 'upstream_unavailable',
      });
    } finally {
      s.sim.setFault(null);
    }
  });

  it('get_system_health degrades and names the part it could not read', async () => {
    s.sim.setFault({ match: { pathIncludes: '/importErrors' }, status: 500, body: { detail: 'db' } });
    try {
      const h = await s.ok('get_system_health', {});
      expect(h.unavailable).toHaveProperty('import_errors');
      expect(h.verdict).not.toBe('healthy');
      expect(h.components).toHaveProperty('scheduler');
    } finally {
      s.sim.setFault(null);
    }
  });
});
