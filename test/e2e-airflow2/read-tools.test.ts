// Real Airflow 2.11: the service detects API v1, forwards each caller's Basic credentials, and the read tools work.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RealAirflow, realAirflow } from '../e2e/helpers/airflow.js';
import { connectClient, payload, type TestClient } from '../helpers/clients.js';
import { metricValue, startTestService, type TestService } from '../helpers/service.js';

const basic = (user: string, pw = user) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

let airflow: RealAirflow;
let service: TestService;
let admin: TestClient;

beforeAll(async () => {
  airflow = realAirflow(2);
  service = await startTestService({ airflowUrl: airflow.url, env: { AIRFLOW_TIMEOUT_MS: '60000' } });
  admin = await connectClient('sdk-v1', service.url, basic('admin'));
});
afterAll(async () => {
  await admin?.close();
  await service?.close();
});

describe('real Airflow 2 through the MCP service (forward mode, Basic auth)', () => {
  it('auto-detects API v1 and reports Airflow 2.11', async () => {
    expect(payload(await admin.callTool('get_airflow_version'))).toMatchObject({
      version: airflow.version,
      api_version: 'v1',
    });
  });

  // Read tools that Airflow 2 supports, with arguments that make each one do real work.
  const reads: [string, Record<string, unknown>, (p: Record<string, unknown>) => void][] = [
    [
      'list_dags',
      { dag_id_pattern: 'e2e_', limit: 100 },
      (p) => expect((p.items as unknown[]).length).toBe(6),
    ],
    ['get_dag_details', { dag_id: 'e2e_success' }, (p) => expect(p.dag_id).toBe('e2e_success')],
    [
      'get_dag_source',
      { dag_id: 'e2e_success' },
      (p) => expect(String(p.content)).toContain('E2E_KNOWN_LINE'),
    ],
    ['list_tasks', { dag_id: 'e2e_success' }, (p) => expect(JSON.stringify(p)).toContain('say_hello')],
    [
      'get_task',
      { dag_id: 'e2e_success', task_id: 'say_hello' },
      (p) => expect(JSON.stringify(p)).toContain('say_hello'),
    ],
    ['list_dag_runs', { limit: 5 }, (p) => expect(p).toHaveProperty('total_entries')],
    ['get_dag_stats', {}, (p) => expect(JSON.stringify(p)).toContain('e2e_')],
    ['list_import_errors', {}, (p) => expect(p.total_entries).toBe(0)],
    ['list_dag_warnings', {}, (p) => expect(p).toHaveProperty('total_entries')],
    ['list_pools', {}, (p) => expect(JSON.stringify(p)).toContain('default_pool')],
    ['get_pool', { name: 'default_pool' }, (p) => expect(p.name).toBe('default_pool')],
    ['list_variables', {}, (p) => expect(p).toHaveProperty('total_entries')],
    ['list_connections', {}, (p) => expect(p).toHaveProperty('total_entries')],
    ['list_assets', {}, (p) => expect(JSON.stringify(p)).toContain('e2e://dataset/one')],
    ['list_plugins', {}, (p) => expect(p).toBeTypeOf('object')],
    ['list_providers', {}, (p) => expect(JSON.stringify(p)).toContain('apache-airflow-providers')],
    ['get_system_health', {}, (p) => expect(p.components).toHaveProperty('scheduler')],
    ['explore_dag', { dag_id: 'e2e_success' }, (p) => expect(JSON.stringify(p)).toContain('say_hello')],
  ];

  it.each(reads)('%s works against Airflow 2', async (tool, args, check) => {
    const r = await admin.callTool(tool, args);
    expect(r.isError, JSON.stringify(r).slice(0, 500)).toBeFalsy();
    check(payload(r));
  });

  it('open_airflow_url reads Airflow 2 UI links (grid with and without a run)', async () => {
    const base = airflow.url.replace(/\/+$/, '');
    const dag = payload(await admin.callTool('open_airflow_url', { url: `${base}/dags/e2e_success/grid` }));
    expect(dag).toMatchObject({
      link: { kind: 'dag', dag_id: 'e2e_success' },
      dag: { dag_id: 'e2e_success' },
    });
    const runs = payload(await admin.callTool('list_dag_runs', { dag_id: 'e2e_success', limit: 1 }));
    const run = (runs.items as { run_id: string }[])[0];
    if (run) {
      const link = `${base}/dags/e2e_success/grid?dag_run_id=${encodeURIComponent(run.run_id)}&task_id=say_hello&tab=logs`;
      const ti = payload(await admin.callTool('open_airflow_url', { url: link }));
      expect(ti).toMatchObject({
        link: { kind: 'task_instance', run_id: run.run_id, task_id: 'say_hello', log: true },
      });
    }
  });

  it('each caller’s Basic credentials are forwarded: the viewer reads but cannot trigger', async () => {
    const viewer = await connectClient('sdk-v2', service.url, basic('viewer'));
    try {
      expect((await viewer.callTool('list_dags', { limit: 1 })).isError).toBeFalsy();
      const denied = payload(await viewer.callTool('trigger_dag', { dag_id: 'e2e_success' }));
      expect(denied).toMatchObject({ code: 'upstream_forbidden', status: 403 });
    } finally {
      await viewer.close();
    }
  });

  it('a wrong password is refused by Airflow 2 (403: it cannot tell a bad password from a missing role)', async () => {
    const wrong = await connectClient('sdk-v1', service.url, basic('admin', 'not-the-password'));
    try {
      const r = payload(await wrong.callTool('list_dags', {}));
      expect(r).toMatchObject({ code: 'upstream_forbidden', status: 403 });
      expect(JSON.stringify(r)).not.toContain('not-the-password');
    } finally {
      await wrong.close();
    }
    expect(
      metricValue(await service.metrics(), 'airflow_mcp_auth_forwarding_total', { path: 'forwarded_basic' }),
    ).toBeGreaterThan(20);
  });
});

describe('real Airflow 2, password mode with AIRFLOW_API_VERSION=auto', () => {
  it('detects API v1 before choosing the login, then reads with HTTP Basic (no /auth/token on Airflow 2)', async () => {
    const svc = await startTestService({
      airflowUrl: airflow.url,
      env: {
        AIRFLOW_TIMEOUT_MS: '60000',
        AIRFLOW_AUTH_MODE: 'password',
        AIRFLOW_USERNAME: 'admin',
        AIRFLOW_PASSWORD: 'admin',
        AIRFLOW_API_VERSION: 'auto',
      },
    });
    // Loopback bind and password mode: no inbound credentials needed, the service's own are used.
    const anonymous = await connectClient('sdk-v1', svc.url);
    try {
      const version = await anonymous.callTool('get_airflow_version');
      expect(version.isError, JSON.stringify(version).slice(0, 500)).toBeFalsy();
      expect(payload(version)).toMatchObject({ version: airflow.version, api_version: 'v1' });
      const dags = await anonymous.callTool('list_dags', { dag_id_pattern: 'e2e_', limit: 100 });
      expect(dags.isError, JSON.stringify(dags).slice(0, 500)).toBeFalsy();
      expect(payload(dags).items).toHaveLength(6);
      const m = await svc.metrics();
      expect(metricValue(m, 'airflow_mcp_auth_forwarding_total', { path: 'service_login' })).toBeGreaterThan(
        0,
      );
      expect(metricValue(m, 'airflow_mcp_upstream_auth_failures_total')).toBe(0);
    } finally {
      await anonymous.close();
      await svc.close();
    }
  });
});
