// Listing endpoints: pagination limits, filters, cross-DAG lists, and Airflow 2 vs 3 shapes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { http } from './http.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(() => sim.close());

const v2 = (p: string) => `${sim.url}/api/v2${p}`;
const v1 = (p: string) => `${sim.url}/api/v1${p}`;
const ids = (dags: { dag_id: string }[]) => dags.map((d) => d.dag_id);

describe('DAG list', () => {
  it('hides stale DAGs by default and pages with limit/offset', async () => {
    const all = (await http('GET', v2('/dags'))).json;
    expect(all.total_entries).toBe(11);
    expect(ids(all.dags)).not.toContain('legacy_reporting');
    expect(ids(all.dags)).toEqual([...ids(all.dags)].sort());
    const withStale = (await http('GET', v2('/dags?exclude_stale=false'))).json;
    expect(withStale.total_entries).toBe(12);
    const page2 = (await http('GET', v2('/dags?limit=5&offset=5'))).json;
    expect(ids(page2.dags)).toEqual(ids(all.dags).slice(5, 10));
    expect(page2.total_entries).toBe(11);
  });

  it('filters by pattern, tags, paused; orders descending', async () => {
    expect(ids((await http('GET', v2('/dags?dag_id_pattern=asset%25'))).json.dags)).toEqual([
      'asset_consumer_reporting',
      'asset_producer_orders',
    ]);
    expect(ids((await http('GET', v2('/dags?dag_id_pattern=example'))).json.dags)).toEqual([
      'example_dynamic_mapping',
      'example_failing',
    ]);
    const tagged = (await http('GET', v2('/dags?tags=ml&tags=finance'))).json;
    expect(ids(tagged.dags).sort()).toEqual(['long_running_report', 'ml_training_pipeline']);
    expect(ids((await http('GET', v2('/dags?paused=true'))).json.dags)).toEqual(['ml_training_pipeline']);
    const desc = ids((await http('GET', v2('/dags?order_by=-dag_id'))).json.dags);
    expect(desc).toEqual([...desc].sort().reverse());
    const bad = await http('GET', v2('/dags?order_by=nope'));
    expect(bad.status).toBe(400);
  });

  it('validates limit like FastAPI and caps it at 100', async () => {
    expect((await http('GET', v2('/dags?limit=abc'))).status).toBe(422);
    expect((await http('GET', v2('/dags?limit=-1'))).status).toBe(422);
    const runs = (await http('GET', v2('/dags/~/dagRuns?limit=1000'))).json;
    expect(runs.dag_runs).toHaveLength(100);
    expect(runs.total_entries).toBeGreaterThan(100);
    expect((await http('GET', v2('/dags/~/dagRuns'))).json.dag_runs).toHaveLength(50);
  });
});

describe('runs and task instances', () => {
  it('filters runs by state (repeatable) across DAGs and by date range', async () => {
    const failed = (await http('GET', v2('/dags/~/dagRuns?state=failed&limit=100'))).json.dag_runs;
    expect(failed.length).toBeGreaterThan(2);
    expect(failed.every((r: { state: string }) => r.state === 'failed')).toBe(true);
    const mixed = (await http('GET', v2('/dags/~/dagRuns?state=running&state=queued'))).json.dag_runs;
    expect(new Set(mixed.map((r: { state: string }) => r.state))).toEqual(new Set(['running', 'queued']));
    const since = new Date(Date.now() - 6 * 3600_000).toISOString();
    const recent = (await http('GET', v2(`/dags/hourly_event_ingest/dagRuns?start_date_gte=${since}`))).json;
    expect(recent.total_entries).toBeGreaterThan(3);
    expect(recent.total_entries).toBeLessThan(8);
    const batch = await http('POST', v2('/dags/~/dagRuns/list'), {
      body: { dag_ids: ['example_failing'], states: ['failed'] },
    });
    expect(batch.json.total_entries).toBe(3);
  });

  it('lists failed task instances across all runs', async () => {
    const res = (await http('GET', v2('/dags/~/dagRuns/~/taskInstances?state=failed&limit=100'))).json;
    expect(res.total_entries).toBeGreaterThan(2);
    expect(
      res.task_instances.some(
        (t: { dag_id: string; task_id: string }) =>
          t.dag_id === 'example_failing' && t.task_id === 'transform',
      ),
    ).toBe(true);
  });

  it('serves XCom entries of the XCom DAG', async () => {
    const runs = (await http('GET', v2('/dags/xcom_pipeline/dagRuns?state=success&limit=1'))).json.dag_runs;
    const base = v2(
      `/dags/xcom_pipeline/dagRuns/${encodeURIComponent(runs[0].dag_run_id)}/taskInstances/push_values/xcomEntries`,
    );
    const list = (await http('GET', base)).json;
    expect(list.xcom_entries.map((x: { key: string }) => x.key).sort()).toEqual([
      'return_value',
      'row_count',
    ]);
    expect((await http('GET', `${base}/return_value`)).json.value).toEqual({ rows: 1284, status: 'ok' });
  });
});

describe('admin objects and v2-only shapes', () => {
  it('returns connections with password and secret extra, as Airflow does', async () => {
    const c = (await http('GET', v2('/connections/aws_default'))).json;
    expect(c.password).toContain('do-not-leak');
    expect(c.extra).toContain('aws_session_token');
  });

  it('serves source, stats, warnings, import errors, assets, config, pools', async () => {
    expect((await http('GET', v2('/dagSources/example_failing'))).json).toMatchObject({
      dag_id: 'example_failing',
      version_number: 1,
    });
    const stats = (await http('GET', v2('/dagStats?dag_ids=example_failing'))).json;
    expect(stats.dags[0].stats).toContainEqual({ state: 'failed', count: 3 });
    expect((await http('GET', v2('/dagWarnings'))).json.dag_warnings[0].warning_type).toBe(
      'non-existent pool',
    );
    expect((await http('GET', v2('/importErrors'))).json.import_errors[0].stack_trace).toContain(
      'ModuleNotFoundError',
    );
    const events = (await http('GET', v2('/assets/events'))).json;
    expect(events.total_entries).toBeGreaterThan(0);
    expect((await http('GET', v2('/assets'))).json.assets[0]).toHaveProperty('scheduled_dags');
    expect((await http('GET', v2('/config'))).json.sections.map((s: { name: string }) => s.name)).toContain(
      'core',
    );
    expect((await http('GET', v2('/pools/default_pool'))).json.slots).toBe(128);
  });

  it('answers 403 for config when not exposed', async () => {
    const hidden = await startSimulator({ exposeConfig: false });
    try {
      expect((await http('GET', `${hidden.url}/api/v2/config`)).status).toBe(403);
    } finally {
      await hidden.close();
    }
  });

  it('supports variable CRUD', async () => {
    expect((await http('POST', v2('/variables'), { body: { key: 'k1', value: 'v1' } })).status).toBe(201);
    expect((await http('POST', v2('/variables'), { body: { key: 'k1', value: 'v1' } })).status).toBe(409);
    expect((await http('PATCH', v2('/variables/k1'), { body: { key: 'k1', value: 'v2' } })).json.value).toBe(
      'v2',
    );
    expect((await http('DELETE', v2('/variables/k1'))).status).toBe(204);
    expect((await http('GET', v2('/variables/k1'))).status).toBe(404);
  });
});

describe('Airflow 2 shapes', () => {
  it('uses is_active, schedule_interval, execution_date, datasets and file tokens', async () => {
    const dag = (await http('GET', v1('/dags/etl_daily_sales'))).json;
    expect(dag).toMatchObject({
      is_active: true,
      schedule_interval: { __type: 'CronExpression', value: '@daily' },
    });
    expect(dag).not.toHaveProperty('is_stale');
    const src = await http('GET', v1(`/dagSources/${dag.file_token}`));
    expect(src.json.content).toContain('etl_daily_sales');
    const runs = (await http('GET', v1('/dags/etl_daily_sales/dagRuns?limit=1'))).json.dag_runs;
    expect(runs[0]).toHaveProperty('execution_date');
    const datasets = (await http('GET', v1('/datasets'))).json.datasets;
    expect(datasets[0]).toHaveProperty('consuming_dags');
    expect((await http('GET', v1('/datasets/events'))).json).toHaveProperty('dataset_events');
    expect(
      (await http('GET', v1('/dagStats?dag_ids=etl_daily_sales,example_failing'))).json.total_entries,
    ).toBe(2);
    expect((await http('GET', v1('/health'))).json.scheduler.status).toBe('healthy');
    expect((await http('GET', v1('/assets'))).status).toBe(404);
  });
});
