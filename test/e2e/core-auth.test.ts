// Real Airflow 3: forward mode with real tokens, every auth path, isolation under load, and discovery.

import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoverAirflow } from '../../src/config/discover-airflow.js';
import { connectClient, payload, type TestClient } from '../helpers/clients.js';
import { legacyHeaders, rawPost, toolPayload, toolsCall } from '../helpers/raw-mcp.js';
import { metricValue, startTestService, type TestService } from '../helpers/service.js';
import {
  deleteQueuedRuns,
  expiredToken,
  login,
  type RealAirflow,
  realAirflow,
  setPaused,
} from './helpers/airflow.js';

let airflow: RealAirflow;
let service: TestService;
let admin: string;
let viewer: string;

beforeAll(async () => {
  airflow = realAirflow();
  admin = await login(airflow, 'admin');
  viewer = await login(airflow, 'viewer');
  service = await startTestService({ airflowUrl: airflow.url, env: { AIRFLOW_TIMEOUT_MS: '60000' } });
});
afterAll(async () => {
  await service?.close();
});

async function withClient<T>(
  authorization: string | undefined,
  fn: (c: TestClient) => Promise<T>,
): Promise<T> {
  const client = await connectClient('sdk-v1', service.url, authorization);
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

async function waitForRun(c: TestClient, dagId: string, runId: string, ms = 180_000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const run = payload(await c.callTool('get_dag_run', { dag_id: dagId, run_id: runId }));
    if (run.state === 'success' || run.state === 'failed') return run;
    if (Date.now() > deadline) throw new Error(`run ${runId} still ${run.state}`);
    await new Promise((r) => setTimeout(r, 1000));
  }
}

describe('real Airflow 3 through the MCP service (forward mode)', () => {
  it('finds the version and lists the test DAGs with an admin token', async () => {
    await withClient(`Bearer ${admin}`, async (c) => {
      expect(payload(await c.callTool('get_airflow_version'))).toMatchObject({
        version: airflow.version,
        api_version: 'v2',
      });
      const dags = payload(await c.callTool('list_dags', { dag_id_pattern: 'e2e_', limit: 100 })) as {
        items: { dag_id: string }[];
      };
      expect(dags.items.map((d) => d.dag_id)).toEqual(
        expect.arrayContaining(['e2e_success', 'e2e_failing', 'e2e_mapped', 'e2e_xcom']),
      );
    });
  });

  it('triggers e2e_success, waits for success and finds the known line in the logs', async () => {
    await withClient(`Bearer ${admin}`, async (c) => {
      const run = payload(await c.callTool('trigger_dag', { dag_id: 'e2e_success' }));
      expect(run.state).toBe('queued');
      const done = await waitForRun(c, 'e2e_success', String(run.run_id));
      expect(done.state).toBe('success');
      const logs = payload(
        await c.callTool('get_task_logs', {
          dag_id: 'e2e_success',
          run_id: String(run.run_id),
          task_id: 'say_hello',
          pattern: 'E2E_KNOWN_LINE',
        }),
      ) as { lines: string[]; matched_lines: number };
      expect(logs.matched_lines).toBeGreaterThanOrEqual(1);
      expect(logs.lines.join('\n')).toContain('E2E_KNOWN_LINE hello from airflow-mcp');
    });
  });

  it('the failing DAG fails and its log shows the known error', async () => {
    await withClient(`Bearer ${admin}`, async (c) => {
      const run = payload(await c.callTool('trigger_dag', { dag_id: 'e2e_failing' }));
      expect((await waitForRun(c, 'e2e_failing', String(run.run_id))).state).toBe('failed');
      const logs = payload(
        await c.callTool('get_task_logs', {
          dag_id: 'e2e_failing',
          run_id: String(run.run_id),
          task_id: 'boom',
          level: 'error',
        }),
      ) as { lines: string[] };
      expect(logs.lines.join('\n')).toContain('E2E_KNOWN_ERROR simulated failure');
    });
  });

  it('viewer reads but its trigger is upstream_forbidden', async () => {
    await withClient(`Bearer ${viewer}`, async (c) => {
      expect((await c.callTool('list_dag_runs', { dag_id: 'e2e_success', limit: 1 })).isError).toBeFalsy();
      const denied = await c.callTool('trigger_dag', { dag_id: 'e2e_success' });
      expect(payload(denied)).toMatchObject({ code: 'upstream_forbidden', status: 403 });
    });
  });

  it('no token → upstream_unauthorized (401 Not authenticated)', async () => {
    await withClient(undefined, async (c) => {
      const r = payload(await c.callTool('list_dags'));
      expect(r).toMatchObject({ code: 'upstream_unauthorized', status: 401 });
      expect(String(r.message)).toContain('Not authenticated');
    });
  });

  it('garbage token → Airflow 403 "Invalid JWT token" → upstream_unauthorized', async () => {
    await withClient('Bearer not.a.jwt', async (c) => {
      const r = payload(await c.callTool('list_dags'));
      expect(r).toMatchObject({ code: 'upstream_unauthorized', status: 403 });
      expect(String(r.message)).toContain('Invalid JWT token');
    });
  });

  it('expired token → "Token Expired" surfaced as upstream_unauthorized', async () => {
    const expired = await expiredToken(airflow, admin);
    await withClient(`Bearer ${expired}`, async (c) => {
      const r = payload(await c.callTool('list_dags'));
      expect(r).toMatchObject({ code: 'upstream_unauthorized', status: 401 });
      expect(String(r.message)).toContain('Token Expired');
      expect(String(r.hint)).toMatch(/fresh/);
    });
  });

  it('password mode logs in at /auth/token and works', async () => {
    const pw = await startTestService({
      airflowUrl: airflow.url,
      env: { AIRFLOW_AUTH_MODE: 'password', AIRFLOW_USERNAME: 'op', AIRFLOW_PASSWORD: 'op' },
    });
    try {
      const c = await connectClient('sdk-v2', pw.url);
      const r = await c.callTool('list_dags', { limit: 1 });
      await c.close();
      expect(r.isError).toBeFalsy();
      expect(
        metricValue(await pw.metrics(), 'airflow_mcp_auth_forwarding_total', { path: 'service_login' }),
      ).toBeGreaterThanOrEqual(2);
    } finally {
      await pw.close();
    }
  });

  it('200 interleaved admin/viewer calls over two instances: viewer writes forbidden, admin writes succeed, reads succeed', async () => {
    const second = await startTestService({
      airflowUrl: airflow.url,
      replica: 'second',
      env: { AIRFLOW_TIMEOUT_MS: '60000' },
    });
    // Writes trigger a paused DAG: the runs are created (a real write) but never execute, so SQLite stays calm.
    await setPaused(airflow, admin, 'e2e_xcom', true);
    try {
      const services = [service, second];
      const calls = Array.from({ length: 200 }, (_, i) => {
        const asAdmin = i % 2 === 0;
        const write = i % 10 < 2; // 40 writes: 20 admin, 20 viewer
        const tool = write
          ? toolsCall(i, 'trigger_dag', { dag_id: 'e2e_xcom' })
          : toolsCall(i, 'list_dags', { limit: 2 });
        return { i, asAdmin, write, tool, target: services[i % 3 === 0 ? 1 : 0]! };
      });
      // 16 in flight at any moment: concurrent and interleaved, without queueing 200 writes on SQLite at once.
      const results = await inPool(
        16,
        calls.map((c) => async () => {
          const ex = await rawPost(
            c.target.url,
            c.tool,
            legacyHeaders({ authorization: `Bearer ${c.asAdmin ? admin : viewer}` }),
          );
          return { ...c, ex };
        }),
      );
      const exceptions = results.filter((r) => r.ex.status !== 200 || r.ex.rpc?.error);
      expect(exceptions).toEqual([]);
      for (const r of results) {
        const body = toolPayload(r.ex);
        if (r.write && !r.asAdmin) expect(body.code, `call ${r.i}`).toBe('upstream_forbidden');
        else expect(r.ex.rpc?.result?.isError, `call ${r.i}: ${JSON.stringify(body)}`).toBeFalsy();
      }
    } finally {
      await second.close();
      await deleteQueuedRuns(airflow, admin, 'e2e_xcom');
      await setPaused(airflow, admin, 'e2e_xcom', false);
    }
  });

  it('discovers the real Airflow from $AIRFLOW_HOME/airflow.cfg ([api] port, 9091 unless AIRFLOW_E2E_PORT)', async () => {
    const found = discoverAirflow({
      env: { AIRFLOW_HOME: airflow.home },
      readFile: (p) => {
        try {
          return readFileSync(p, 'utf8');
        } catch {
          return undefined;
        }
      },
    });
    expect(found.source).toBe('airflow.cfg [api]');
    expect(new URL(found.url).port).toBe(new URL(airflow.url).port);
    const discovered = await startTestService({ airflowUrl: found.url });
    try {
      const c = await connectClient('sdk-v2', discovered.url, `Bearer ${admin}`);
      expect(payload(await c.callTool('get_airflow_version')).version).toBe(airflow.version);
      await c.close();
    } finally {
      await discovered.close();
    }
  });
});

/** Runs tasks with at most `size` in flight, keeping result order. */
async function inPool<T>(size: number, tasks: (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: size }, async () => {
      while (next < tasks.length) {
        const i = next++;
        results[i] = await tasks[i]!();
      }
    }),
  );
  return results;
}
