// Asset flow: a producer run triggered through the API emits an event that queues a consumer run; v1 state update.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { ORDERS_ASSET, type Simulator, startSimulator } from '../../../sim/index.js';
import { http, waitFor } from './http.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ runDurationMs: 200 });
});
afterAll(() => sim.close());

const v2 = (p: string) => `${sim.url}/api/v2${p}`;

it('propagates a produced asset to an asset-triggered consumer run', async () => {
  const before = (await http('GET', v2('/assets/events?asset_id=1&limit=100'))).json.total_entries;
  const run = (
    await http('POST', v2('/dags/asset_producer_orders/dagRuns'), { body: { logical_date: null } })
  ).json;
  await waitFor(
    () => http('GET', v2(`/dags/asset_producer_orders/dagRuns/${encodeURIComponent(run.dag_run_id)}`)),
    (r) => r.json.state === 'success',
  );
  const events = (await http('GET', v2('/assets/events?asset_id=1&order_by=-timestamp&limit=100'))).json;
  expect(events.total_entries).toBe(before + 1);
  const event = events.asset_events[0];
  expect(event).toMatchObject({
    uri: ORDERS_ASSET,
    source_dag_id: 'asset_producer_orders',
    source_run_id: run.dag_run_id,
  });
  expect(event.created_dagruns).toHaveLength(1);
  const consumerRunId = event.created_dagruns[0].run_id;
  const consumer = (
    await http('GET', v2(`/dags/asset_consumer_reporting/dagRuns/${encodeURIComponent(consumerRunId)}`))
  ).json;
  expect(consumer).toMatchObject({ run_type: 'asset_triggered', triggered_by: 'asset' });
  const upstream = (
    await http(
      'GET',
      v2(`/dags/asset_consumer_reporting/dagRuns/${encodeURIComponent(consumerRunId)}/upstreamAssetEvents`),
    )
  ).json;
  expect(upstream.asset_events[0].id).toBe(event.id);
  const done = await waitFor(
    () => http('GET', v2(`/dags/asset_consumer_reporting/dagRuns/${encodeURIComponent(consumerRunId)}`)),
    (r) => r.json.state === 'success',
  );
  expect(done.json.state).toBe('success');
});

it('updates task-instance state through Airflow 2 updateTaskInstancesState (dry run by default)', async () => {
  const run = (
    await http('POST', `${sim.url}/api/v1/dags/etl_daily_sales/dagRuns`, { body: { dag_run_id: 'v1-state' } })
  ).json;
  const url = `${sim.url}/api/v1/dags/etl_daily_sales/updateTaskInstancesState`;
  const body = { task_id: 'load', dag_run_id: run.dag_run_id, new_state: 'failed' };
  const dry = await http('POST', url, { body });
  expect(dry.json.task_instances).toEqual([
    expect.objectContaining({ task_id: 'load', dag_run_id: 'v1-state' }),
  ]);
  const ti = () => http('GET', `${sim.url}/api/v1/dags/etl_daily_sales/dagRuns/v1-state/taskInstances/load`);
  expect((await ti()).json.state).not.toBe('failed');
  await http('POST', url, { body: { ...body, dry_run: false } });
  expect((await ti()).json.state).toBe('failed');
});
