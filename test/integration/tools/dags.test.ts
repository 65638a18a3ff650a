// DAG tools over MCP on both Airflow APIs: list filters and paging, details, source, pause, stats, tasks.
import { describe, expect, it } from 'vitest';
import { APIS, type Page, useStack } from './stack.js';

describe.each(APIS)('DAG tools on Airflow %s', (api) => {
  const s = useStack(api);

  it('list_dags pages with limit/offset and reports next_offset', async () => {
    const first = (await s.ok('list_dags', { limit: 3 })) as unknown as Page;
    expect(first.items).toHaveLength(3);
    expect(first.next_offset).toBe(3);
    const second = (await s.ok('list_dags', { limit: 3, offset: 3 })) as unknown as Page;
    expect(second.items.map((d) => d.dag_id)).not.toContain(first.items[0]!.dag_id);
    const all = (await s.ok('list_dags', { limit: 100 })) as unknown as Page;
    expect(all.next_offset).toBeNull();
    expect(all.total_entries).toBe(all.items.length);
  });

  it.each([
    [{ dag_id_pattern: 'etl' }, (d: Record<string, unknown>) => String(d.dag_id).includes('etl')],
    [{ tags: ['assets'] }, (d: Record<string, unknown>) => (d.tags as string[]).includes('assets')],
    [{ paused: true }, (d: Record<string, unknown>) => d.paused === true],
  ])('list_dags filters by %j', async (filter, holds) => {
    const page = (await s.ok('list_dags', { ...filter, limit: 100 })) as unknown as Page;
    expect(page.items.length).toBeGreaterThan(0);
    expect(page.items.every(holds)).toBe(true);
  });

  it('list_dags hides DAGs whose file is gone unless include_inactive', async () => {
    const active = (await s.ok('list_dags', { limit: 100 })) as unknown as Page;
    const all = (await s.ok('list_dags', { limit: 100, include_inactive: true })) as unknown as Page;
    expect(all.total_entries).toBeGreaterThan(active.total_entries);
    expect(all.items.some((d) => d.inactive === true)).toBe(true);
  });

  it('get_dag_details gives params as plain values and drops nulls', async () => {
    const d = await s.ok('get_dag_details', { dag_id: 'etl_daily_sales' });
    expect(d).toMatchObject({ dag_id: 'etl_daily_sales', params: { region: 'eu', full_refresh: false } });
    expect(Object.values(d)).not.toContain(null);
  });

  it('get_dag_source returns the file (by file token on Airflow 2)', async () => {
    const src = await s.ok('get_dag_source', { dag_id: 'xcom_pipeline' });
    expect(String(src.content)).toContain('xcom_pipeline');
  });

  it('pause_dag and unpause_dag flip the paused state, idempotently', async () => {
    expect(await s.ok('pause_dag', { dag_id: 'xcom_pipeline' })).toMatchObject({ paused: true });
    expect(await s.ok('pause_dag', { dag_id: 'xcom_pipeline' })).toMatchObject({ paused: true });
    expect((await s.ok('get_dag_details', { dag_id: 'xcom_pipeline' })).paused).toBe(true);
    expect(await s.ok('unpause_dag', { dag_id: 'xcom_pipeline' })).toMatchObject({ paused: false });
  });

  it('get_dag_stats counts runs per state for chosen DAGs, or pages over all', async () => {
    const some = (await s.ok('get_dag_stats', {
      dag_ids: ['example_failing', 'etl_daily_sales'],
    })) as unknown as Page;
    expect(some.items.map((i) => i.dag_id).sort()).toEqual(['etl_daily_sales', 'example_failing']);
    const failing = some.items.find((i) => i.dag_id === 'example_failing')!;
    expect((failing.runs as Record<string, number>).failed).toBeGreaterThan(0);
    const paged = (await s.ok('get_dag_stats', { limit: 2 })) as unknown as Page;
    expect(paged.items).toHaveLength(2);
    expect(paged.next_offset).toBe(2);
  });

  it('list_tasks and get_task describe the DAG structure', async () => {
    const tasks = (await s.ok('list_tasks', { dag_id: 'etl_daily_sales' })) as unknown as Page;
    expect(tasks.items.map((t) => t.task_id).sort()).toEqual(['extract', 'load', 'transform']);
    expect(tasks.items.find((t) => t.task_id === 'extract')).toMatchObject({
      operator: 'PythonOperator',
      downstream: ['transform'],
    });
    const mapped = (await s.ok('list_tasks', { dag_id: 'example_dynamic_mapping' })) as unknown as Page;
    expect(mapped.items.find((t) => t.task_id === 'process_partition')?.mapped).toBe(true);
    const load = await s.ok('get_task', { dag_id: 'etl_daily_sales', task_id: 'load' });
    expect(load).toMatchObject({ dag_id: 'etl_daily_sales', task_id: 'load', pool: 'default_pool' });
  });

  it('list_import_errors keeps the end of the traceback when clipping', async () => {
    const page = (await s.ok('list_import_errors', { max_error_chars: 120 })) as unknown as Page;
    expect(page.total_entries).toBeGreaterThanOrEqual(1);
    const error = String(page.items[0]!.error);
    expect(error.length).toBeLessThanOrEqual(120);
    expect(error.startsWith('…')).toBe(true);
    expect(error).toMatch(/ModuleNotFoundError/);
  });

  it('list_dag_warnings lists warnings, for all DAGs or one', async () => {
    const all = (await s.ok('list_dag_warnings', {})) as unknown as Page;
    expect(all.items.length).toBeGreaterThan(0);
    const dagId = String(all.items[0]!.dag_id);
    const one = (await s.ok('list_dag_warnings', { dag_id: dagId })) as unknown as Page;
    expect(one.items.every((w) => w.dag_id === dagId && typeof w.message === 'string')).toBe(true);
    const none = (await s.ok('list_dag_warnings', { dag_id: 'etl_daily_sales' })) as unknown as Page;
    expect(none.total_entries).toBe(0);
  });

  it.each([
    ['get_dag_details', { dag_id: 'nope' }],
    ['get_dag_source', { dag_id: 'nope' }],
    ['pause_dag', { dag_id: 'nope' }],
    ['list_tasks', { dag_id: 'nope' }],
    ['get_task', { dag_id: 'etl_daily_sales', task_id: 'nope' }],
  ])('%s on a missing id is not_found', async (tool, args) => {
    expect(await s.fails(tool, args)).toMatchObject({ code: 'not_found', status: 404 });
  });
});
