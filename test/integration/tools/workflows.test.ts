// Workflow tools over MCP: explore_dag, diagnose_dag_run, get_system_health (partial failures) and trigger_dag_and_wait.
import { describe, expect, it } from 'vitest';
import { FAILURE_LINE } from '../../../src/sim/index.js';
import { connectClient, payload } from '../../helpers/clients.js';
import { APIS, type Page, useStack, waitForRun } from './stack.js';

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
    expect(String((x.source as { content: string }).content).length).toBeLessThanOrEqual(200);
    expect(x).not.toHaveProperty('unavailable');
  });

  it('explore_dag reports a failed part and keeps the rest', async () => {
    s.sim.setFault({ match: { pathIncludes: '/dagSources/' }, status: 500, body: { detail: 'boom' } });
    try {
      const x = await s.ok('explore_dag', { dag_id: 'etl_daily_sales' });
      expect(x.tasks).toBeDefined();
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

  it('trigger_dag_and_wait sends increasing progress and returns the final state', async () => {
    const progress: number[] = [];
    const r = await s.client.callTool(
      'trigger_dag_and_wait',
      { dag_id: 'etl_daily_sales', timeout_seconds: 30 },
      { onprogress: (p) => progress.push(p.progress) },
    );
    const result = payload(r);
    expect(result).toMatchObject({
      dag_id: 'etl_daily_sales',
      state: 'success',
      task_states: { success: 3 },
    });
    expect(result).not.toHaveProperty('failed_tasks');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toBe(3);
    for (let i = 1; i < progress.length; i++) expect(progress[i]!).toBeGreaterThan(progress[i - 1]!);
  });

  it('trigger_dag_and_wait returns the failed tasks with their error lines', async () => {
    const r = await s.ok('trigger_dag_and_wait', { dag_id: 'example_failing', timeout_seconds: 30 });
    expect(r.state).toBe('failed');
    const failed = r.failed_tasks as { task_id: string; error_lines: string[] }[];
    expect(failed.map((f) => f.task_id)).toEqual(['transform']);
    expect(failed[0]!.error_lines.join('\n')).toContain(FAILURE_LINE('transform'));
  });

  it('trigger_dag_and_wait times out with the state so far', async () => {
    const r = await s.ok('trigger_dag_and_wait', { dag_id: 'ml_training_pipeline', timeout_seconds: 1 });
    expect(r).toMatchObject({ state: 'queued', timed_out: true });
    expect(String(r.warning)).toMatch(/paused/);
    await s.ok('delete_dag_run', { dag_id: 'ml_training_pipeline', run_id: r.run_id });
  });

  it('trigger_dag_and_wait stops polling Airflow when the client cancels', async () => {
    const client = await connectClient(api === 'v2' ? 'sdk-v2' : 'sdk-v1', s.service.url);
    const abort = new AbortController();
    let runId = '';
    const call = client.callTool(
      'trigger_dag_and_wait',
      { dag_id: 'ml_training_pipeline', timeout_seconds: 600 },
      {
        signal: abort.signal,
        onprogress: (p) => {
          if (p.progress === 0) runId = String(p.message).replace('triggered ', '');
        },
      },
    );
    await new Promise((r) => setTimeout(r, 800));
    abort.abort();
    await expect(call).rejects.toThrow();
    await client.close();
    const polls = () => s.sim.calls.filter((c) => c.path.includes(encodeURIComponent(runId))).length;
    await new Promise((r) => setTimeout(r, 300));
    const afterCancel = polls();
    expect(runId).not.toBe('');
    expect(afterCancel).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 2000));
    expect(polls()).toBe(afterCancel);
    await waitForRun(s, 'ml_training_pipeline', runId, ['queued']);
  });
});
