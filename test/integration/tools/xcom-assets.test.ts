// XCom and asset tools over MCP on both Airflow APIs (assets ↔ datasets), with filters and version gaps.
import { describe, expect, it } from 'vitest';
import { ORDERS_ASSET } from '../../../sim/index.js';
import { APIS, type Page, useStack } from './stack.js';

describe.each(APIS)('XCom and asset tools on Airflow %s', (api) => {
  const s = useStack(api);

  async function latest(dagId: string, state?: string): Promise<string> {
    const page = (await s.ok('list_dag_runs', {
      dag_id: dagId,
      limit: 1,
      ...(state ? { state: [state] } : {}),
    })) as unknown as Page;
    return String(page.items[0]!.run_id);
  }

  it('list_xcom_entries lists keys of a run, for all tasks or one key', async () => {
    const runId = await latest('xcom_pipeline', 'success');
    const all = (await s.ok('list_xcom_entries', {
      dag_id: 'xcom_pipeline',
      run_id: runId,
    })) as unknown as Page;
    expect(all.items.map((x) => `${x.task_id}:${x.key}`).sort()).toEqual([
      'pull_values:return_value',
      'push_values:return_value',
      'push_values:row_count',
    ]);
    const one = (await s.ok('list_xcom_entries', {
      dag_id: 'xcom_pipeline',
      run_id: runId,
      task_id: 'push_values',
      key: 'row_count',
    })) as unknown as Page;
    expect(one.items).toEqual([expect.objectContaining({ task_id: 'push_values', key: 'row_count' })]);
  });

  it('get_xcom_entry returns the decoded value on both APIs', async () => {
    const runId = await latest('xcom_pipeline', 'success');
    const x = await s.ok('get_xcom_entry', {
      dag_id: 'xcom_pipeline',
      run_id: runId,
      task_id: 'push_values',
    });
    expect(x).toMatchObject({ key: 'return_value', value: { rows: 1284, status: 'ok' } });
    expect(
      await s.fails('get_xcom_entry', {
        dag_id: 'xcom_pipeline',
        run_id: runId,
        task_id: 'push_values',
        key: 'nope',
      }),
    ).toMatchObject({ code: 'not_found', hint: expect.stringContaining('list_xcom_entries') });
  });

  it('list_assets shows producers and consumers, filtered by URI and DAG', async () => {
    const all = (await s.ok('list_assets', {})) as unknown as Page;
    const orders = all.items.find((a) => a.uri === ORDERS_ASSET)!;
    expect(orders).toMatchObject({
      consumers: ['asset_consumer_reporting'],
      producers: ['asset_producer_orders.publish_orders'],
    });
    const byUri = (await s.ok('list_assets', { uri_pattern: 'orders' })) as unknown as Page;
    expect(byUri.items.map((a) => a.uri)).toEqual([ORDERS_ASSET]);
    const byDag = (await s.ok('list_assets', { dag_ids: ['etl_daily_sales'] })) as unknown as Page;
    expect(
      byDag.items.every((a) => (a.producers as string[]).some((p) => p.startsWith('etl_daily_sales.'))),
    ).toBe(true);
  });

  it('list_assets by name needs Airflow 3', async () => {
    if (api === 'v2') {
      const page = (await s.ok('list_assets', { name_pattern: 'orders' })) as unknown as Page;
      expect(page.items).toHaveLength(1);
    } else {
      expect(await s.fails('list_assets', { name_pattern: 'orders' })).toMatchObject({
        code: 'invalid_argument',
      });
    }
  });

  it('list_asset_events filters by producing DAG and pages newest first', async () => {
    const page = (await s.ok('list_asset_events', {
      source_dag_id: 'asset_producer_orders',
      limit: 2,
    })) as unknown as Page;
    expect(page.items).toHaveLength(2);
    expect(page.items.every((e) => e.source === 'asset_producer_orders.publish_orders')).toBe(true);
    expect(String(page.items[0]!.timestamp) >= String(page.items[1]!.timestamp)).toBe(true);
    expect(page.next_offset).toBe(2);
  });

  it('get_upstream_asset_events names the event that triggered an asset-scheduled run', async () => {
    const runId = await latest('asset_consumer_reporting');
    const up = await s.ok('get_upstream_asset_events', { dag_id: 'asset_consumer_reporting', run_id: runId });
    expect(up.total_entries).toBe(1);
    expect((up.items as Record<string, unknown>[])[0]).toMatchObject({
      uri: ORDERS_ASSET,
      triggered_runs: [expect.objectContaining({ run_id: runId })],
    });
  });
});
