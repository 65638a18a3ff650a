// Both SDK clients (the v2 one in both eras) × both Airflow API versions × every auth mode, over real HTTP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type ClientKind, connectClient, ERA_OF, payload, servedEra } from '../../helpers/clients.js';
import { metricValue, startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
let simOpen: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced', runDurationMs: 300 });
  simOpen = await startSimulator({ auth: 'none', runDurationMs: 300 });
});
afterAll(async () => {
  await sim.close();
  await simOpen.close();
});

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

interface Case {
  mode: 'forward' | 'token' | 'password' | 'none';
  api: 'v1' | 'v2';
  expectPath: string;
}

const cases: Case[] = [
  { mode: 'forward', api: 'v2', expectPath: 'forwarded_bearer' },
  { mode: 'forward', api: 'v1', expectPath: 'forwarded_basic' },
  { mode: 'token', api: 'v2', expectPath: 'service_token' },
  { mode: 'password', api: 'v2', expectPath: 'service_login' },
  { mode: 'password', api: 'v1', expectPath: 'service_login' },
  { mode: 'none', api: 'v2', expectPath: 'anonymous' },
  { mode: 'none', api: 'v1', expectPath: 'anonymous' },
];

describe.each(['sdk-v1', 'sdk-v2', 'sdk-v2-2026'] as ClientKind[])('%s client', (kind) => {
  describe.each(cases)('auth mode $mode against Airflow $api', ({ mode, api, expectPath }) => {
    let service: TestService;
    let authorization: string | undefined;

    beforeAll(async () => {
      const env: Record<string, string> = { AIRFLOW_AUTH_MODE: mode, AIRFLOW_API_VERSION: 'auto' };
      const target = mode === 'none' ? simOpen : sim;
      if (mode === 'token') env.AIRFLOW_AUTH_TOKEN = await sim.issueToken('op');
      if (mode === 'password') Object.assign(env, { AIRFLOW_USERNAME: 'op', AIRFLOW_PASSWORD: 'op' });
      if (mode === 'forward')
        authorization = api === 'v2' ? `Bearer ${await sim.issueToken('op')}` : basic('op', 'op');
      // Airflow 2 is reached by pinning v1 (the simulator serves both APIs; auto would pick v2).
      if (api === 'v1') env.AIRFLOW_API_VERSION = 'v1';
      service = await startTestService({ airflowUrl: target.url, env });
    });
    afterAll(async () => {
      await service.close();
    });

    it('lists tools and calls them with the right credentials path', async () => {
      const client = await connectClient(kind, service.url, authorization);
      try {
        const { tools } = await client.listTools();
        expect(tools.map((t) => t.name)).toEqual(
          expect.arrayContaining([
            'list_dags',
            'get_dag_run',
            'trigger_dag',
            'get_task_logs',
            'get_system_health',
          ]),
        );
        const version = payload(await client.callTool('get_airflow_version'));
        expect(version.api_version).toBe(api);
        const dags = await client.callTool('list_dags', { limit: 5 });
        expect(dags.isError).toBeFalsy();
        const page = payload(dags) as {
          items: { dag_id: string }[];
          total_entries: number;
          next_offset: number | null;
        };
        expect(page.items.length).toBe(5);
        expect(page.total_entries).toBeGreaterThan(5);
        expect(page.next_offset).toBe(5);
        // The era is judged from the server's answer, so the label above cannot claim one it was not served.
        expect(await servedEra(client.served, 'tools/call')).toBe(ERA_OF[kind]);
      } finally {
        await client.close();
      }
      const text = await service.metrics();
      expect(
        metricValue(text, 'airflow_mcp_auth_forwarding_total', { path: expectPath }),
      ).toBeGreaterThanOrEqual(2);
      for (const other of ['forwarded_bearer', 'forwarded_basic', 'service_token', 'anonymous'].filter(
        (p) => p !== expectPath,
      )) {
        expect(metricValue(text, 'airflow_mcp_auth_forwarding_total', { path: other })).toBe(0);
      }
    });
  });
});
