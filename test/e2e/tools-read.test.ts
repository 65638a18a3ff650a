// Every read tool through the MCP service (forward mode, a real admin token) against real Airflow 3, plus the
// resources and prompts, and the check that every registered tool has an e2e test.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allTools } from '../../src/tools/index.js';
import { COVERAGE } from './helpers/tools-coverage.js';
import {
  CONN_ID,
  CONN_PASSWORD,
  ensureSecretConnection,
  expectNoPassword,
  type Harness,
  startHarness,
  triggerRun,
  waitForRunEnd,
} from './helpers/tools-harness.js';

const ASSET_URI = 'e2e://dataset/one';

let h: Harness;
const runs: Record<string, string> = {};
let consumerRun: string;

type Item = Record<string, unknown>;
const items = (p: Record<string, unknown>) => p.items as Item[];

beforeAll(async () => {
  h = await startHarness();
  await ensureSecretConnection(h);
  // One run each, triggered one after another and awaited together: three small runs keep SQLite calm.
  const producerStarted = new Date(Date.now() - 5000).toISOString();
  for (const dag of ['e2e_xcom', 'e2e_mapped', 'e2e_asset_producer']) runs[dag] = await triggerRun(h, dag);
  for (const [dag, run] of Object.entries(runs)) {
    expect(await waitForRunEnd(h, dag, run), `${dag} ${run}`).toBe('success');
  }
  // The producer's asset event creates a consumer run; wait for it to finish too (Airflow 3.3.2 answers 500
  // on /assets/events while a run it created is still queued).
  const deadline = Date.now() + 240_000;
  for (;;) {
    const res = await h.api(
      'GET',
      `/dags/e2e_asset_consumer/dagRuns?run_type=asset_triggered&run_after_gte=${encodeURIComponent(producerStarted)}&order_by=-run_after&limit=1`,
    );
    const run = (res.body.dag_runs as { dag_run_id: string }[] | undefined)?.[0];
    if (run) {
      consumerRun = run.dag_run_id;
      break;
    }
    if (Date.now() > deadline) throw new Error('no asset-triggered run of e2e_asset_consumer appeared');
    await new Promise((r) => setTimeout(r, 2000));
  }
  await waitForRunEnd(h, 'e2e_asset_consumer', consumerRun);
});

afterAll(async () => {
  await h?.close();
});

describe('every tool has an e2e test against real Airflow', () => {
  it('the tools the e2e files cover are exactly the registry', () => {
    const covered = new Set(Object.values(COVERAGE).flat());
    expect([...covered].sort()).toEqual(allTools.map((t) => t.name).sort());
  });
});

describe('read tools against real Airflow 3', () => {
  it('get_airflow_version, get_system_health', async () => {
    expect(await h.call('get_airflow_version')).toMatchObject({
      version: h.airflow.version,
      api_version: 'v2',
    });
    const health = await h.call('get_system_health', { max_items: 3 });
    expect(['healthy', 'degraded', 'unhealthy']).toContain(health.verdict);
    const components = health.components as Record<string, { status: string | null }>;
    expect(Object.keys(components)).toEqual(
      expect.arrayContaining(['metadatabase', 'scheduler', 'dag_processor', 'triggerer']),
    );
    expect(components.metadatabase!.status).toBe('healthy');
    expect(health.unavailable).toBeUndefined();
    expect(health.import_errors).toMatchObject({ total: 0 });
    expect(typeof health.failed_runs_24h).toBe('number');
  });

  it('list_import_errors, list_dag_warnings (all and one DAG)', async () => {
    const errors = await h.call('list_import_errors', { limit: 5 });
    expect(errors).toMatchObject({ total_entries: 0, items: [] });
    const all = await h.call('list_dag_warnings', { limit: 5 });
    expect(Array.isArray(all.items)).toBe(true);
    expect(typeof all.total_entries).toBe('number');
    const one = await h.call('list_dag_warnings', { dag_id: 'e2e_success' });
    expect(one).toMatchObject({ total_entries: 0, items: [] });
  });

  it('list_dags, get_dag_details, get_dag_source, get_dag_stats', async () => {
    const dags = await h.call('list_dags', { dag_id_pattern: 'e2e_', limit: 100 });
    const ids = items(dags).map((d) => d.dag_id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'e2e_success',
        'e2e_failing',
        'e2e_mapped',
        'e2e_asset_producer',
        'e2e_asset_consumer',
        'e2e_xcom',
      ]),
    );
    const consumer = items(dags).find((d) => d.dag_id === 'e2e_asset_consumer')!;
    expect(consumer.tags).toEqual(['e2e']);
    expect(String(consumer.schedule)).toMatch(/asset/i);
    const tagged = await h.call('list_dags', { tags: ['e2e'], limit: 2 });
    expect(items(tagged)).toHaveLength(2);
    expect(tagged.total_entries).toBeGreaterThanOrEqual(6);
    expect(tagged.next_offset).toBe(2);

    const details = await h.call('get_dag_details', { dag_id: 'e2e_mapped' });
    expect(details).toMatchObject({ dag_id: 'e2e_mapped', paused: false, catchup: false, tags: ['e2e'] });
    expect(String(details.fileloc)).toMatch(/e2e_mapped\.py$/);
    expect(String(details.doc_md)).toContain('map_index 0..2');
    expect(details.start_date).toMatch(/^2024-01-01T00:00:00/);

    const source = await h.call('get_dag_source', { dag_id: 'e2e_success' });
    expect(source.dag_id).toBe('e2e_success');
    expect(String(source.content)).toContain('E2E_KNOWN_LINE hello from airflow-mcp');
    expect(source.next_start_line).toBeUndefined();
    expect(String(source.content).split('\n')).toHaveLength(Number(source.total_lines));

    const stats = await h.call('get_dag_stats', { dag_ids: ['e2e_xcom', 'e2e_mapped'] });
    const byDag = Object.fromEntries(items(stats).map((s) => [s.dag_id, s.runs as Record<string, number>]));
    expect(byDag.e2e_xcom!.success).toBeGreaterThanOrEqual(1);
    expect(byDag.e2e_mapped!.success).toBeGreaterThanOrEqual(1);
    // Without dag_ids Airflow lists only DAGs that have runs: on a fresh database, those this file triggered.
    const paged = await h.call('get_dag_stats', { limit: 100 });
    expect(items(paged).map((s) => s.dag_id)).toEqual(expect.arrayContaining(['e2e_mapped', 'e2e_xcom']));
  });

  it('explore_dag: details, tasks, recent runs and source in one call', async () => {
    const explored = await h.call('explore_dag', {
      dag_id: 'e2e_mapped',
      recent_runs: 2,
      source_max_chars: 200,
    });
    expect(explored.unavailable).toBeUndefined();
    expect(explored.dag).toMatchObject({ dag_id: 'e2e_mapped' });
    const tasks = explored.tasks as Item[];
    expect(tasks.map((t) => t.task_id).sort()).toEqual(['double', 'items', 'total']);
    expect(tasks.find((t) => t.task_id === 'double')).toMatchObject({ mapped: true, downstream: ['total'] });
    const recent = explored.recent_runs as { total: number; items: Item[] };
    expect(recent.items.length).toBeGreaterThanOrEqual(1);
    expect((explored.source as { content: string }).content.length).toBeLessThanOrEqual(200);
  });

  it('list_tasks, get_task', async () => {
    const tasks = await h.call('list_tasks', { dag_id: 'e2e_xcom' });
    expect(
      items(tasks)
        .map((t) => t.task_id)
        .sort(),
    ).toEqual(['pull', 'push']);
    expect(items(tasks).find((t) => t.task_id === 'push')).toMatchObject({ downstream: ['pull'] });
    const task = await h.call('get_task', { dag_id: 'e2e_failing', task_id: 'boom' });
    expect(task).toMatchObject({ dag_id: 'e2e_failing', task_id: 'boom', retries: 0 });
    expect(String(task.operator)).toMatch(/Python|task/i);
    const missing = await h.call(
      'get_task',
      { dag_id: 'e2e_failing', task_id: 'nope' },
      { allowError: true },
    );
    expect(missing).toMatchObject({ code: 'not_found', status: 404 });
    expect(String(missing.hint)).toContain('list_tasks');
  });

  it('list_dag_runs, get_dag_run (one DAG and across DAGs)', async () => {
    const list = await h.call('list_dag_runs', { dag_id: 'e2e_xcom', state: ['success'], limit: 5 });
    expect(items(list).map((r) => r.run_id)).toContain(runs.e2e_xcom);
    for (const r of items(list)) expect(r).toMatchObject({ dag_id: 'e2e_xcom', state: 'success' });
    const across = await h.call('list_dag_runs', { run_type: ['asset_triggered'], limit: 5 });
    expect(items(across).every((r) => r.run_type === 'asset_triggered')).toBe(true);
    expect(items(across).map((r) => r.run_id)).toContain(consumerRun);
    // Airflow 2's name for the same run type: Airflow 3 answers 422 for it, so the service translates.
    const legacy = await h.call('list_dag_runs', { run_type: ['dataset_triggered'], limit: 5 });
    expect(items(legacy).map((r) => r.run_id)).toEqual(items(across).map((r) => r.run_id));
    const since = await h.call('list_dag_runs', {
      dag_id: 'e2e_mapped',
      start_date_gte: new Date(Date.now() - 3600_000).toISOString(),
      limit: 100,
    });
    expect(items(since).map((r) => r.run_id)).toContain(runs.e2e_mapped);

    const run = await h.call('get_dag_run', { dag_id: 'e2e_xcom', run_id: runs.e2e_xcom! });
    expect(run).toMatchObject({
      dag_id: 'e2e_xcom',
      run_id: runs.e2e_xcom,
      state: 'success',
      run_type: 'manual',
    });
    expect(run.start_date).toBeTruthy();
    expect(run.end_date).toBeTruthy();
    const missing = await h.call(
      'get_dag_run',
      { dag_id: 'e2e_xcom', run_id: 'no_such_run' },
      { allowError: true },
    );
    expect(missing).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('mapped task instances carry map_index: list_task_instances, get_task_instance, get_task_logs', async () => {
    const run = runs.e2e_mapped!;
    const tis = await h.call('list_task_instances', { dag_id: 'e2e_mapped', run_id: run });
    expect(tis.total_entries).toBe(5);
    const doubles = items(tis).filter((t) => t.task_id === 'double');
    expect(doubles.map((t) => t.map_index).sort()).toEqual([0, 1, 2]);
    expect(items(tis).every((t) => t.state === 'success')).toBe(true);
    expect(items(tis).find((t) => t.task_id === 'items')!.map_index).toBeUndefined();

    const one = await h.call('list_task_instances', { dag_id: 'e2e_mapped', run_id: run, task_id: 'double' });
    expect(items(one)).toHaveLength(3);
    const across = await h.call('list_task_instances', {
      dag_id: 'e2e_mapped',
      state: ['success'],
      limit: 10,
    });
    expect(items(across).every((t) => t.dag_id === 'e2e_mapped' && typeof t.run_id === 'string')).toBe(true);
    const everywhere = await h.call('list_task_instances', { task_id: 'say_hello', limit: 3 });
    expect(items(everywhere).every((t) => t.task_id === 'say_hello')).toBe(true);

    const ti = await h.call('get_task_instance', {
      dag_id: 'e2e_mapped',
      run_id: run,
      task_id: 'double',
      map_index: 1,
    });
    expect(ti).toMatchObject({ task_id: 'double', map_index: 1, state: 'success', try_number: 1 });
    expect(typeof ti.duration).toBe('number');
    for (const tool of ['get_task_instance', 'get_task_logs']) {
      const unmapped = await h.call(
        tool,
        { dag_id: 'e2e_mapped', run_id: run, task_id: 'double' },
        { allowError: true },
      );
      expect(unmapped, tool).toMatchObject({
        code: 'not_found',
        hint: expect.stringContaining('pass map_index'),
      });
    }
    const plain = await h.call('get_task_instance', { dag_id: 'e2e_mapped', run_id: run, task_id: 'total' });
    expect(plain).toMatchObject({ task_id: 'total', state: 'success' });
    expect(plain.map_index).toBeUndefined();

    const log = await h.call('get_task_logs', {
      dag_id: 'e2e_mapped',
      run_id: run,
      task_id: 'double',
      map_index: 1,
      pattern: 'E2E_MAPPED',
      context_lines: 0,
    });
    expect((log.lines as string[]).join('\n')).toContain('E2E_MAPPED item=2');
    expect((log.lines as string[]).join('\n')).not.toContain('item=1');
  });

  it('list_xcom_entries, get_xcom_entry on e2e_xcom (and mapped return values)', async () => {
    const run = runs.e2e_xcom!;
    const list = await h.call('list_xcom_entries', { dag_id: 'e2e_xcom', run_id: run });
    const keys = items(list).map((x) => `${x.task_id}:${x.key}`);
    expect(keys).toEqual(expect.arrayContaining(['push:return_value', 'push:e2e_key']));
    const onlyKey = await h.call('list_xcom_entries', { dag_id: 'e2e_xcom', run_id: run, key: 'e2e_key' });
    expect(items(onlyKey).map((x) => x.key)).toEqual(['e2e_key']);

    const rv = await h.call('get_xcom_entry', { dag_id: 'e2e_xcom', run_id: run, task_id: 'push' });
    expect(rv).toMatchObject({
      task_id: 'push',
      key: 'return_value',
      value: { e2e: 'E2E_KNOWN_XCOM', n: 42 },
    });
    const custom = await h.call('get_xcom_entry', {
      dag_id: 'e2e_xcom',
      run_id: run,
      task_id: 'push',
      key: 'e2e_key',
    });
    expect(custom.value).toBe('E2E_KNOWN_XCOM');

    const mapped = await h.call('list_xcom_entries', {
      dag_id: 'e2e_mapped',
      run_id: runs.e2e_mapped!,
      task_id: 'double',
    });
    expect(
      items(mapped)
        .map((x) => x.map_index)
        .sort(),
    ).toEqual([0, 1, 2]);
    const second = await h.call('get_xcom_entry', {
      dag_id: 'e2e_mapped',
      run_id: runs.e2e_mapped!,
      task_id: 'double',
      map_index: 2,
    });
    expect(second).toMatchObject({ map_index: 2, value: 6 });
    const total = await h.call('get_xcom_entry', {
      dag_id: 'e2e_mapped',
      run_id: runs.e2e_mapped!,
      task_id: 'total',
    });
    expect(total.value).toBe(12);
    const missing = await h.call(
      'get_xcom_entry',
      { dag_id: 'e2e_xcom', run_id: run, task_id: 'push', key: 'nope' },
      { allowError: true },
    );
    expect(missing).toMatchObject({ code: 'not_found' });
  });

  it('list_assets, list_asset_events, get_upstream_asset_events', async () => {
    const assets = await h.call('list_assets', { uri_pattern: 'e2e://dataset' });
    const asset = items(assets).find((a) => a.uri === ASSET_URI)!;
    expect(asset).toBeDefined();
    expect(asset.consumers).toEqual(['e2e_asset_consumer']);
    expect(asset.producers).toEqual(['e2e_asset_producer.produce']);
    expect(asset.last_event_at).toBeTruthy();
    const byDag = await h.call('list_assets', { dag_ids: ['e2e_asset_consumer'] });
    expect(items(byDag).map((a) => a.uri)).toContain(ASSET_URI);

    const events = await h.call('list_asset_events', {
      asset_id: asset.id,
      source_dag_id: 'e2e_asset_producer',
      limit: 10,
    });
    const ours = items(events).find((e) => e.source_run_id === runs.e2e_asset_producer)!;
    expect(ours).toMatchObject({ uri: ASSET_URI, source: 'e2e_asset_producer.produce', asset_id: asset.id });
    expect((ours.triggered_runs as Item[]).map((r) => r.run_id)).toContain(consumerRun);
    const byRun = await h.call('list_asset_events', { source_run_id: runs.e2e_asset_producer! });
    expect(items(byRun)).toHaveLength(1);
    const recent = await h.call('list_asset_events', {
      timestamp_gte: new Date(Date.now() - 3600_000).toISOString(),
      limit: 100,
    });
    expect(items(recent).map((e) => e.id)).toContain(ours.id);

    const upstream = await h.call('get_upstream_asset_events', {
      dag_id: 'e2e_asset_consumer',
      run_id: consumerRun,
    });
    expect(JSON.stringify(upstream)).toContain(ASSET_URI);
    const upItems = (upstream.items ?? upstream.events ?? upstream.asset_events) as Item[];
    expect(upItems.map((e) => e.source_run_id)).toContain(runs.e2e_asset_producer);
  });

  it('list_pools, get_pool', async () => {
    const pools = await h.call('list_pools');
    const def = items(pools).find((p) => p.name === 'default_pool')!;
    expect(def).toMatchObject({ slots: 128 });
    expect(typeof def.open).toBe('number');
    const pattern = await h.call('list_pools', { name_pattern: 'default%' });
    expect(items(pattern).map((p) => p.name)).toEqual(['default_pool']);
    expect(await h.call('get_pool', { name: 'default_pool' })).toMatchObject({
      name: 'default_pool',
      slots: 128,
    });
    const missing = await h.call('get_pool', { name: 'no_such_pool' }, { allowError: true });
    expect(missing).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('list_connections shows the connection but never its password or secret extra', async () => {
    const conns = await h.call('list_connections', { limit: 100 });
    const conn = items(conns).find((c) => c.connection_id === CONN_ID)!;
    expect(conn).toMatchObject({
      conn_type: 'postgres',
      host: 'db.e2e.invalid',
      port: 5432,
      login: 'e2e_user',
      schema: 'analytics',
      has_password: true,
      extra: { sslmode: 'require' },
      extra_hidden_keys: ['api_token'],
    });
    expect(JSON.stringify(conns)).not.toContain(CONN_PASSWORD);
    expect(conn).not.toHaveProperty('password');
  });

  it('get_airflow_config (one section and all), list_plugins, list_providers', async () => {
    const api = await h.call('get_airflow_config', { section: 'api' });
    const sections = api.sections as Record<string, Record<string, string>>;
    expect(Object.keys(sections)).toEqual(['api']);
    expect(sections.api!.port).toBe(new URL(h.airflow.url).port);
    expect(sections.api!.expose_config).toMatch(/true/i);
    const all = await h.call('get_airflow_config');
    const allSections = all.sections as Record<string, Record<string, string>>;
    expect(Object.keys(allSections)).toEqual(expect.arrayContaining(['core', 'api', 'scheduler']));
    // Airflow hides sensitive values itself.
    expect(JSON.stringify(all)).not.toContain(h.airflow.jwtSecret);

    const plugins = await h.call('list_plugins');
    expect(Array.isArray(plugins.items)).toBe(true);
    expect(typeof plugins.total_entries).toBe('number');
    const providers = await h.call('list_providers');
    expect(items(providers).length).toBeGreaterThan(0);
    expect(items(providers).every((p) => typeof p.package_name === 'string' && p.version)).toBe(true);
    expect(items(providers).map((p) => p.package_name)).toContain('apache-airflow-providers-standard');
  });

  it('list_event_logs: the audit log of our runs, filtered', async () => {
    const all = await h.call('list_event_logs', { limit: 5 });
    expect(items(all).length).toBeGreaterThan(0);
    const ids = items(all).map((e) => Number(e.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids); // newest first
    const byDag = await h.call('list_event_logs', { dag_id: 'e2e_xcom', limit: 50 });
    expect(items(byDag).length).toBeGreaterThan(0);
    expect(items(byDag).every((e) => e.dag_id === 'e2e_xcom')).toBe(true);
    const byEvent = await h.call('list_event_logs', { event: 'trigger_dag_run', owner: 'admin', limit: 5 });
    expect(items(byEvent).length).toBeGreaterThan(0);
    expect(items(byEvent).every((e) => e.event === 'trigger_dag_run' && e.owner === 'admin')).toBe(true);
    const window = await h.call('list_event_logs', {
      after: new Date(Date.now() - 3600_000).toISOString(),
      before: new Date(Date.now() + 60_000).toISOString(),
      limit: 5,
    });
    expect(items(window).length).toBeGreaterThan(0);
  });
});

describe('resources and prompts against real Airflow 3', () => {
  it('lists and reads every resource and template once', async () => {
    const { resources } = await h.client.listResources();
    expect(resources.map((r) => r.uri).sort()).toEqual([
      'airflow://config',
      'airflow://plugins',
      'airflow://providers',
      'airflow://version',
    ]);
    const texts: Record<string, string> = {};
    for (const r of resources) {
      const res = await h.client.readResource({ uri: r.uri });
      const text = String((res.contents[0] as { text?: string }).text);
      h.texts.push(text);
      texts[r.uri] = text;
    }
    expect(JSON.parse(texts['airflow://version']!)).toMatchObject({ version: h.airflow.version });
    expect(texts['airflow://providers']).toContain('apache-airflow-providers-standard');
    expect(texts['airflow://config']).toContain('expose_config');

    const { resourceTemplates } = await h.client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.name).sort()).toEqual(['dag-source', 'task-log']);
    const source = await h.client.readResource({ uri: 'airflow://dags/e2e_failing/source' });
    expect(String((source.contents[0] as { text?: string }).text)).toContain('E2E_KNOWN_ERROR');
    const log = await h.client.readResource({
      uri: `airflow://dags/e2e_xcom/runs/${encodeURIComponent(runs.e2e_xcom!)}/tasks/push/logs/1`,
    });
    const logText = String((log.contents[0] as { text?: string }).text);
    h.texts.push(logText);
    expect(logText.length).toBeGreaterThan(0);
  });

  it('lists and renders every prompt once', async () => {
    const { prompts } = await h.client.listPrompts();
    expect(prompts.map((p) => p.name).sort()).toEqual([
      'daily_health_check',
      'onboard_new_dag',
      'troubleshoot_failed_dag',
    ]);
    const args: Record<string, Record<string, string>> = {
      troubleshoot_failed_dag: { dag_id: 'e2e_failing' },
      daily_health_check: {},
      onboard_new_dag: { dag_id: 'e2e_mapped' },
    };
    for (const p of prompts) {
      const got = await h.client.getPrompt({ name: p.name, arguments: args[p.name]! });
      expect(got.messages.length).toBeGreaterThan(0);
    }
  });
});

describe('no secret in any result', () => {
  it('this file called every read tool it covers, and no result held the connection password', () => {
    expect([...h.called].sort()).toEqual(expect.arrayContaining([...COVERAGE.read].sort()));
    expect(h.texts.length).toBeGreaterThan(40);
    expect(h.texts.join('\n')).not.toContain(CONN_PASSWORD);
    expectNoPassword(h);
  });
});
