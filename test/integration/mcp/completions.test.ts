// completion/complete over real HTTP with real clients: DAG, run and task ids with the caller's own credentials.
import {
  Client as ClientV2,
  StreamableHTTPClientTransport as TransportV2,
} from '@modelcontextprotocol/client';
import { Client as ClientV1 } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport as TransportV1 } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { startTestService, type TestService } from '../../helpers/service.js';

let sim: Simulator;
let service: TestService;
let token: string;

beforeAll(async () => {
  sim = await startSimulator({
    auth: 'enforced',
    users: { viewer: { password: 'viewer-pw', role: 'viewer' } },
  });
  token = await sim.issueToken('viewer');
  service = await startTestService({ airflowUrl: sim.url, env: { AIRFLOW_AUTH_MODE: 'forward' } });
});
afterAll(async () => {
  await service?.close();
  await sim?.close();
});

type Complete = (params: {
  ref: { type: 'ref/prompt'; name: string } | { type: 'ref/resource'; uri: string };
  argument: { name: string; value: string };
  context?: { arguments: Record<string, string> };
}) => Promise<{ completion: { values: string[]; total?: number; hasMore?: boolean } }>;

async function connect(kind: 'v1' | 'v2', authorization?: string) {
  const requestInit = { headers: authorization ? { authorization } : {} };
  if (kind === 'v1') {
    const client = new ClientV1({ name: 'completions-v1', version: '1' });
    await client.connect(new TransportV1(new URL(service.url), { requestInit }));
    return {
      client,
      complete: ((p) => client.complete(p)) as Complete,
      caps: () => client.getServerCapabilities(),
    };
  }
  const client = new ClientV2({ name: 'completions-v2', version: '1' });
  await client.connect(new TransportV2(new URL(service.url), { requestInit }));
  return {
    client,
    complete: ((p) => client.complete(p)) as Complete,
    caps: () => client.getServerCapabilities(),
  };
}

describe.each(['v1', 'v2'] as const)('completions with the %s client', (kind) => {
  const prompt = { type: 'ref/prompt' as const, name: 'troubleshoot_failed_dag' };
  const logTemplate = {
    type: 'ref/resource' as const,
    uri: 'airflow://dags/{dag_id}/runs/{run_id}/tasks/{task_id}/logs/{try_number}',
  };

  it('declares the capability and completes DAG ids by prefix', async () => {
    const c = await connect(kind, `Bearer ${token}`);
    try {
      expect(c.caps()?.completions).toBeDefined();
      const r = await c.complete({ ref: prompt, argument: { name: 'dag_id', value: 'example_' } });
      expect(r.completion.values.length).toBeGreaterThan(1);
      expect(r.completion.values.length).toBeLessThanOrEqual(100);
      expect(r.completion.values).toContain('example_failing');
      for (const v of r.completion.values) expect(v.startsWith('example_')).toBe(true);
      const none = await c.complete({ ref: prompt, argument: { name: 'dag_id', value: 'zzz_no_such' } });
      expect(none.completion.values).toEqual([]);
    } finally {
      await c.client.close();
    }
  });

  it('completes run ids and task ids of the DAG named in the context', async () => {
    const c = await connect(kind, `Bearer ${token}`);
    try {
      const runs = await c.complete({
        ref: prompt,
        argument: { name: 'run_id', value: '' },
        context: { arguments: { dag_id: 'etl_daily_sales' } },
      });
      expect(runs.completion.values.length).toBeGreaterThan(0);
      const first = runs.completion.values[0]!;
      const narrowed = await c.complete({
        ref: logTemplate,
        argument: { name: 'run_id', value: first.slice(0, first.length - 1) },
        context: { arguments: { dag_id: 'etl_daily_sales' } },
      });
      expect(narrowed.completion.values).toContain(first);
      const tasks = await c.complete({
        ref: logTemplate,
        argument: { name: 'task_id', value: 'tr' },
        context: { arguments: { dag_id: 'example_failing' } },
      });
      expect(tasks.completion.values).toEqual(['transform']);
      const noDag = await c.complete({ ref: logTemplate, argument: { name: 'task_id', value: '' } });
      expect(noDag.completion.values).toEqual([]);
    } finally {
      await c.client.close();
    }
  });

  it('uses the caller’s own credentials: without a valid token Airflow gives nothing to suggest', async () => {
    const c = await connect(kind, 'Bearer not-a-valid-token');
    try {
      sim.resetCalls();
      const r = await c.complete({ ref: prompt, argument: { name: 'dag_id', value: 'example_' } });
      expect(r.completion.values).toEqual([]);
      expect(sim.calls.some((call) => call.route.endsWith('/dags'))).toBe(true);
    } finally {
      await c.client.close();
    }
  });
});
