// Administration tools over MCP on both Airflow APIs: pools, variables, connections, config, plugins, audit log.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator, VERSIONS } from '../../../sim/index.js';
import { connectClient, payload } from '../../helpers/clients.js';
import { startTestService, type TestService } from '../../helpers/service.js';
import { APIS, type Page, useStack } from './stack.js';

describe.each(APIS)('admin tools on Airflow %s', (api) => {
  const s = useStack(api);

  it('list_pools and get_pool show slot usage', async () => {
    const pools = (await s.ok('list_pools', {})) as unknown as Page;
    expect(pools.items.map((p) => p.name)).toEqual(['default_pool', 'gpu_pool', 'warehouse_pool']);
    expect(await s.ok('get_pool', { name: 'gpu_pool' })).toMatchObject({
      name: 'gpu_pool',
      slots: 4,
      open: 4,
    });
    expect(await s.fails('get_pool', { name: 'nope' })).toMatchObject({
      code: 'not_found',
      hint: expect.stringContaining('list_pools'),
    });
  });

  it.each([
    ['list_pools', { name_pattern: 'gpu%' }, 'name'],
    ['list_variables', { key_pattern: 'env%' }, 'key'],
  ])('%s filters by pattern on Airflow 3 and says Airflow 2 cannot', async (tool, args, field) => {
    if (api === 'v2') {
      const page = (await s.ok(tool, args)) as unknown as Page;
      expect(page.items).toHaveLength(1);
      expect(String(page.items[0]![field])).toMatch(/^(gpu|env)/);
    } else {
      expect(String((await s.fails(tool, args)).message)).toMatch(/needs Airflow 3/);
    }
  });

  it('list_variables pages and redacts values of sensitive keys', async () => {
    const page = (await s.ok('list_variables', { limit: 100 })) as unknown as Page;
    expect(page.items.find((v) => v.key === 'partner_api_key')).toMatchObject({
      value: '***',
      redacted: true,
    });
    expect(JSON.stringify(page)).not.toContain('SIMULATED_SECRET');
    expect(await s.ok('get_variable', { key: 'environment' })).toMatchObject({
      key: 'environment',
      value: 'staging',
    });
  });

  it('set_variable creates then updates; delete_variable removes', async () => {
    const key = `test_var_${api}`;
    expect(await s.ok('set_variable', { key, value: 'one', description: 'made by a test' })).toMatchObject({
      key,
      value: 'one',
      created: true,
    });
    // Without a description the update keeps the existing one (sending null would clear it, as Airflow does).
    expect(await s.ok('set_variable', { key, value: 'two' })).toMatchObject({
      value: 'two',
      description: 'made by a test',
      created: false,
    });
    expect(await s.ok('get_variable', { key })).toMatchObject({
      value: 'two',
      description: 'made by a test',
    });
    expect(await s.ok('delete_variable', { key })).toEqual({ key, deleted: true });
    expect(await s.fails('get_variable', { key })).toMatchObject({
      code: 'not_found',
      hint: expect.stringContaining('list_variables'),
    });
    expect(await s.fails('delete_variable', { key })).toMatchObject({ code: 'not_found' });
  });

  it('list_connections never returns passwords or secret extra fields', async () => {
    const page = (await s.ok('list_connections', { limit: 100 })) as unknown as Page;
    const text = JSON.stringify(page);
    expect(text).not.toMatch(/do-not-leak|"password"/);
    expect(page.items.find((c) => c.connection_id === 'warehouse_postgres')).toMatchObject({
      has_password: true,
      extra: { sslmode: 'require' },
      extra_hidden_keys: ['options'],
    });
  });

  it('get_airflow_config returns sections as key/value maps, or one section', async () => {
    const all = await s.ok('get_airflow_config', {});
    expect(Object.keys(all.sections as object)).toContain('core');
    const core = await s.ok('get_airflow_config', { section: 'core' });
    expect(core.sections).toEqual({ core: expect.objectContaining({ executor: 'LocalExecutor' }) });
  });

  it('list_plugins and list_providers page', async () => {
    const plugins = (await s.ok('list_plugins', {})) as unknown as Page;
    expect(plugins.items).toContainEqual(
      expect.objectContaining({ name: 'lineage_listener', provides: { listeners: expect.any(Array) } }),
    );
    const providers = (await s.ok('list_providers', { limit: 2 })) as unknown as Page;
    expect(providers.items).toHaveLength(2);
    expect(providers.next_offset).toBe(2);
  });

  it('get_airflow_version names the Airflow and API versions', async () => {
    expect(await s.ok('get_airflow_version', {})).toEqual({ version: VERSIONS[api], api_version: api });
  });

  it('list_event_logs shows who did what, filtered by DAG and event, newest first', async () => {
    await s.ok('pause_dag', { dag_id: 'partner_sync' });
    await s.ok('unpause_dag', { dag_id: 'partner_sync' });
    const page = (await s.ok('list_event_logs', { dag_id: 'partner_sync', limit: 10 })) as unknown as Page;
    expect(page.items.length).toBeGreaterThanOrEqual(2);
    expect(page.items.every((e) => e.dag_id === 'partner_sync')).toBe(true);
    expect(Number(page.items[0]!.id)).toBeGreaterThan(Number(page.items[1]!.id));
  });
});

describe('config hidden by Airflow', () => {
  const s = useStack('v2', { sim: { exposeConfig: false } });

  it('get_airflow_config reports upstream_forbidden with Airflow’s reason', async () => {
    const err = await s.fails('get_airflow_config', {});
    expect(err).toMatchObject({ code: 'upstream_forbidden', status: 403 });
    expect(String(err.message)).toMatch(/expose/);
  });
});

describe('get_variable with the caller’s own credentials', () => {
  let sim: Simulator;
  let service: TestService;
  beforeAll(async () => {
    sim = await startSimulator({ auth: 'enforced', runDurationMs: 250 });
    service = await startTestService({ airflowUrl: sim.url, env: { AIRFLOW_API_VERSION: 'v2' } });
  });
  afterAll(async () => {
    await service.close();
    await sim.close();
  });

  it('returns the value Airflow gives this caller (sim_whoami names the caller)', async () => {
    const client = await connectClient('sdk-v2', service.url, `Bearer ${await sim.issueToken('op')}`);
    expect(payload(await client.callTool('get_variable', { key: 'sim_whoami' }))).toMatchObject({
      key: 'sim_whoami',
      value: 'op',
    });
    await client.close();
  });

  it('a viewer is refused variables with upstream_forbidden', async () => {
    const client = await connectClient('sdk-v2', service.url, `Bearer ${await sim.issueToken('viewer')}`);
    const r = await client.callTool('get_variable', { key: 'environment' });
    expect(r.isError).toBe(true);
    expect(payload(r)).toMatchObject({ code: 'upstream_forbidden' });
    await client.close();
  });
});
