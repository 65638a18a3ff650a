// DAG run tools over MCP on both Airflow APIs: filters, paging, trigger, delete, clear and mark runs.
import { describe, expect, it } from 'vitest';
import { APIS, type Page, useStack, waitForRun } from './stack.js';

describe.each(APIS)('DAG run tools on Airflow %s', (api) => {
  const s = useStack(api);

  it('list_dag_runs pages one DAG’s runs newest first', async () => {
    const first = (await s.ok('list_dag_runs', { dag_id: 'etl_daily_sales', limit: 2 })) as unknown as Page;
    expect(first.items).toHaveLength(2);
    expect(first.next_offset).toBe(2);
    expect(String(first.items[0]!.logical_date) >= String(first.items[1]!.logical_date)).toBe(true);
    const rest = (await s.ok('list_dag_runs', {
      dag_id: 'etl_daily_sales',
      limit: 100,
      offset: 2,
    })) as unknown as Page;
    expect(rest.items.length + 2).toBe(first.total_entries);
  });

  it.each(['asset_triggered', 'dataset_triggered'])(
    'list_dag_runs with run_type %s (either name works on either API) finds asset-triggered runs',
    async (t) => {
      const page = (await s.ok('list_dag_runs', { run_type: [t], limit: 100 })) as unknown as Page;
      expect(page.items.length).toBeGreaterThan(0);
      const expected = api === 'v1' ? 'dataset_triggered' : 'asset_triggered';
      expect(page.items.every((r) => r.run_type === expected)).toBe(true);
    },
  );

  it.each([
    [{ state: ['failed'] }, (r: Record<string, unknown>) => r.state === 'failed'],
    [{ run_type: ['manual'] }, (r: Record<string, unknown>) => r.run_type === 'manual'],
    [
      { start_date_gte: new Date(Date.now() - 2 * 86_400_000).toISOString() },
      (r: Record<string, unknown>) =>
        Date.parse(String(r.start_date)) >= Date.now() - 2 * 86_400_000 - 60_000,
    ],
  ])('list_dag_runs across DAGs filters by %j', async (filter, holds) => {
    const page = (await s.ok('list_dag_runs', { ...filter, limit: 100 })) as unknown as Page;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every(holds)).toBe(true);
    expect(new Set(page.items.map((r) => r.dag_id)).size).toBeGreaterThan(1);
  });

  it('trigger_dag then delete_dag_run removes the run', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'etl_daily_sales', note: 'from test' });
    expect(run).toMatchObject({ dag_id: 'etl_daily_sales', run_type: 'manual', note: 'from test' });
    expect(await s.ok('delete_dag_run', { dag_id: 'etl_daily_sales', run_id: run.run_id })).toEqual({
      dag_id: 'etl_daily_sales',
      run_id: run.run_id,
      deleted: true,
    });
    expect(await s.fails('get_dag_run', { dag_id: 'etl_daily_sales', run_id: run.run_id })).toMatchObject({
      code: 'not_found',
    });
  });

  it('trigger_dag with a taken run id is a conflict', async () => {
    const runId = `conflict_${api}`;
    await s.ok('trigger_dag', { dag_id: 'etl_daily_sales', run_id: runId });
    expect(await s.fails('trigger_dag', { dag_id: 'etl_daily_sales', run_id: runId })).toMatchObject({
      code: 'conflict',
      status: 409,
      message: `DAG 'etl_daily_sales' already has a run with run_id '${runId}'.`,
      hint: expect.stringContaining('list_dag_runs'),
    });
  });

  it('clear_dag_run is a dry run by default and clears only when asked', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'example_failing' });
    const runId = String(run.run_id);
    await waitForRun(s, 'example_failing', runId, ['failed']);
    const dry = await s.ok('clear_dag_run', { dag_id: 'example_failing', run_id: runId, only_failed: true });
    expect(dry.dry_run).toBe(true);
    expect((dry.would_clear as { task_id: string }[]).map((t) => t.task_id)).toContain('transform');
    expect((await s.ok('get_dag_run', { dag_id: 'example_failing', run_id: runId })).state).toBe('failed');
    const real = await s.ok('clear_dag_run', { dag_id: 'example_failing', run_id: runId, dry_run: false });
    expect(real.dry_run).toBe(false);
    expect(['queued', 'running']).toContain((real.run as { state: string }).state);
  });

  it('set_dag_run_state marks a run success or failed', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'example_failing' });
    const runId = String(run.run_id);
    await waitForRun(s, 'example_failing', runId, ['failed']);
    const marked = await s.ok('set_dag_run_state', {
      dag_id: 'example_failing',
      run_id: runId,
      state: 'success',
    });
    expect(marked).toMatchObject({ run_id: runId, state: 'success' });
    expect((await s.ok('get_dag_run', { dag_id: 'example_failing', run_id: runId })).state).toBe('success');
  });

  it.each([
    ['delete_dag_run', { dag_id: 'etl_daily_sales', run_id: 'missing' }],
    ['clear_dag_run', { dag_id: 'etl_daily_sales', run_id: 'missing' }],
    ['set_dag_run_state', { dag_id: 'etl_daily_sales', run_id: 'missing', state: 'failed' }],
    ['list_dag_runs', { dag_id: 'missing' }],
  ])('%s on a missing run or DAG is not_found', async (tool, args) => {
    expect(await s.fails(tool, args)).toMatchObject({ code: 'not_found' });
  });

  it('rejects bad arguments before calling Airflow', async () => {
    s.sim.resetCalls();
    const state = await s.fails('set_dag_run_state', { dag_id: 'x', run_id: 'y', state: 'running' });
    expect(state).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/^Invalid argument state/),
    });
    const limit = await s.fails('list_dag_runs', { limit: 1000 });
    expect(limit).toMatchObject({
      code: 'invalid_argument',
      message: expect.stringMatching(/^Invalid argument limit/),
    });
    expect(s.sim.calls).toHaveLength(0);
  });
});
