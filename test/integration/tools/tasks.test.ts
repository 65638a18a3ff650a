// Task-instance tools over MCP on both Airflow APIs: lists and filters, mapped tasks, logs, clear, set state.
import { describe, expect, it } from 'vitest';
import { FAILURE_LINE } from '../../../sim/index.js';
import { APIS, type Page, useStack, waitForRun } from './stack.js';

describe.each(APIS)('task-instance tools on Airflow %s', (api) => {
  const s = useStack(api);
  let failedRun = '';

  it('list_task_instances lists one run’s task instances', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'example_failing' });
    failedRun = String(run.run_id);
    await waitForRun(s, 'example_failing', failedRun, ['failed']);
    const page = (await s.ok('list_task_instances', {
      dag_id: 'example_failing',
      run_id: failedRun,
    })) as unknown as Page;
    const states = Object.fromEntries(page.items.map((t) => [t.task_id, t.state]));
    expect(states).toEqual({
      extract: 'success',
      transform: 'failed',
      load: 'upstream_failed',
      notify: 'upstream_failed',
    });
    expect(page.items[0]).not.toHaveProperty('dag_id');
  });

  it('list_task_instances across runs filters by state and pages', async () => {
    const page = (await s.ok('list_task_instances', { state: ['failed'], limit: 3 })) as unknown as Page;
    expect(page.items.length).toBe(3);
    expect(page.items.every((t) => t.state === 'failed' && t.dag_id && t.run_id)).toBe(true);
    expect(page.next_offset).toBe(3);
    const oneDag = (await s.ok('list_task_instances', {
      dag_id: 'example_failing',
      state: ['failed'],
      limit: 100,
    })) as unknown as Page;
    expect(oneDag.items.every((t) => t.dag_id === 'example_failing' && t.task_id === 'transform')).toBe(true);
  });

  it('list_task_instances filters by task_id on Airflow 3 and says plainly that Airflow 2 cannot', async () => {
    const args = { dag_id: 'etl_daily_sales', task_id: 'load', limit: 100 };
    if (api === 'v2') {
      const page = (await s.ok('list_task_instances', args)) as unknown as Page;
      expect(page.items.length).toBeGreaterThan(0);
      expect(page.items.every((t) => t.task_id === 'load')).toBe(true);
    } else {
      const err = await s.fails('list_task_instances', args);
      expect(err).toMatchObject({ code: 'invalid_argument' });
      expect(String(err.message)).toMatch(/needs Airflow 3/);
    }
  });

  it('list_task_instances refuses run_id without dag_id', async () => {
    expect(await s.fails('list_task_instances', { run_id: 'x' })).toMatchObject({ code: 'invalid_argument' });
  });

  it('get_task_instance reads one mapped instance by map_index', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'example_dynamic_mapping' });
    await waitForRun(s, 'example_dynamic_mapping', String(run.run_id), ['success']);
    const ti = await s.ok('get_task_instance', {
      dag_id: 'example_dynamic_mapping',
      run_id: run.run_id,
      task_id: 'process_partition',
      map_index: 2,
    });
    expect(ti).toMatchObject({ task_id: 'process_partition', map_index: 2, state: 'success' });
    // Without map_index Airflow answers 404 naming the URL: the hint names the missing argument instead.
    for (const tool of ['get_task_instance', 'get_task_logs']) {
      const err = await s.fails(tool, {
        dag_id: 'example_dynamic_mapping',
        run_id: run.run_id,
        task_id: 'process_partition',
      });
      expect(err, tool).toMatchObject({ code: 'not_found', hint: expect.stringContaining('pass map_index') });
    }
  });

  it('get_task_logs filters by pattern and pages with the continuation token', async () => {
    const base = { dag_id: 'example_failing', run_id: failedRun, task_id: 'transform' };
    const hit = await s.ok('get_task_logs', { ...base, pattern: 'simulated failure', context_lines: 0 });
    expect(hit.matched_lines).toBe(1);
    expect(hit.lines).toEqual([expect.stringContaining(FAILURE_LINE('transform'))]);
    const tail = await s.ok('get_task_logs', { ...base, tail_lines: 3, max_bytes: 256 });
    expect((tail.lines as string[]).length).toBeLessThanOrEqual(3);
    expect(tail.truncated).toBe(true);
    expect(await s.fails('get_task_logs', { ...base, pattern: '(' })).toMatchObject({
      code: 'invalid_argument',
    });
  });

  it('clear_task_instances dry-runs failed tasks by default, then clears them', async () => {
    const dry = await s.ok('clear_task_instances', { dag_id: 'example_failing', run_id: failedRun });
    expect(dry).toMatchObject({ dry_run: true, would_clear_count: 3 });
    expect((dry.would_clear as { task_id: string }[]).map((t) => t.task_id).sort()).toEqual([
      'load',
      'notify',
      'transform',
    ]);
    const narrowed = await s.ok('clear_task_instances', {
      dag_id: 'example_failing',
      run_id: failedRun,
      task_ids: ['transform'],
    });
    expect(narrowed.would_clear_count).toBe(1);
    const real = await s.ok('clear_task_instances', {
      dag_id: 'example_failing',
      run_id: failedRun,
      task_ids: ['transform'],
      dry_run: false,
    });
    expect(real).toMatchObject({ dry_run: false, cleared_count: 1 });
  });

  it('set_task_instance_state marks a task instance', async () => {
    const run = await s.ok('trigger_dag', { dag_id: 'example_failing' });
    await waitForRun(s, 'example_failing', String(run.run_id), ['failed']);
    const res = await s.ok('set_task_instance_state', {
      dag_id: 'example_failing',
      run_id: run.run_id,
      task_id: 'transform',
      state: 'success',
    });
    expect(res.updated).toEqual([expect.objectContaining({ task_id: 'transform' })]);
    const ti = await s.ok('get_task_instance', {
      dag_id: 'example_failing',
      run_id: run.run_id,
      task_id: 'transform',
    });
    expect(ti.state).toBe('success');
  });

  it.each([
    ['get_task_instance', { dag_id: 'etl_daily_sales', run_id: 'missing', task_id: 'load' }],
    ['list_task_instances', { dag_id: 'etl_daily_sales', run_id: 'missing' }],
    ['clear_task_instances', { dag_id: 'missing' }],
    [
      'set_task_instance_state',
      { dag_id: 'etl_daily_sales', run_id: 'missing', task_id: 'load', state: 'failed' },
    ],
  ])('%s on a missing id is not_found', async (tool, args) => {
    expect(await s.fails(tool, args)).toMatchObject({ code: 'not_found' });
  });
});
