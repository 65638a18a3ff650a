// Idempotent GETs retry within a budget, writes never do; a breaker fails fast while Airflow is down and recovers.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { metricValue, type TestService, withTestService } from '../../helpers/service.js';
import { callTool, recordRow, sawOf } from './support.js';

const DAG = 'asset_producer_orders';
let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => {
  sim.setFault(null);
  sim.resetCalls();
});

async function withService(env: Record<string, string>, fn: (s: TestService) => Promise<void>) {
  return withTestService(
    {
      airflowUrl: sim.url,
      env: { AIRFLOW_API_VERSION: 'v2', AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_TIMEOUT_MS: '3000', ...env },
    },
    fn,
  );
}

const callsOf = (r: { requestId: string }) => sim.calls.filter((c) => c.requestId === r.requestId);

describe('retries', () => {
  it('a GET that meets one 502 is retried and succeeds; the retry is counted', async () => {
    const auth = { authorization: `Bearer ${await sim.issueToken('admin')}` };
    await withService({ AIRFLOW_BREAKER_THRESHOLD: '0' }, async (s) => {
      sim.setFault({ match: { pathIncludes: '/dags' }, status: 502, times: 1 });
      const r = await callTool(s.url, 'list_dags', {}, auth);
      expect(r.body?.code).toBeUndefined();
      expect(callsOf(r).map((c) => c.status)).toEqual([502, 200]);
      expect(metricValue(await s.metrics(), 'airflow_mcp_upstream_retries_total')).toBe(1);
      recordRow('upstream', '502 once on a GET', `${sawOf(r)}; 2 attempts`, r.ms);
    });
  });

  it('writes never retry, even on a dropped connection', async () => {
    const auth = { authorization: `Bearer ${await sim.issueToken('admin')}` };
    await withService({ AIRFLOW_BREAKER_THRESHOLD: '0' }, async (s) => {
      sim.setFault({ match: { method: 'POST', pathIncludes: '/dagRuns' }, destroySocket: true, times: 1 });
      const r = await callTool(s.url, 'trigger_dag', { dag_id: DAG }, auth);
      expect(r.body).toMatchObject({ code: 'upstream_unavailable' });
      expect(callsOf(r).filter((c) => c.method === 'POST')).toHaveLength(1);
      expect(metricValue(await s.metrics(), 'airflow_mcp_upstream_retries_total')).toBe(0);
      recordRow('upstream', 'connection dropped on trigger_dag (POST)', `${sawOf(r)}; 1 attempt`, r.ms);
    });
  });

  it('401/403/404 are never retried', async () => {
    await withService({ AIRFLOW_BREAKER_THRESHOLD: '0' }, async (s) => {
      const none = await callTool(s.url, 'list_dags');
      expect(none.body).toMatchObject({ code: 'upstream_unauthorized' });
      expect(callsOf(none)).toHaveLength(1);
      const auth = { authorization: `Bearer ${await sim.issueToken('admin')}` };
      const missing = await callTool(s.url, 'get_dag_details', { dag_id: 'no_such_dag' }, auth);
      expect(missing.body).toMatchObject({ code: 'not_found' });
      expect(callsOf(missing).every((c) => c.status === 404 || c.status === 200)).toBe(true);
      expect(metricValue(await s.metrics(), 'airflow_mcp_upstream_retries_total')).toBe(0);
    });
  });

  it('the retry budget caps extra load under a persistent outage (≈10% plus a small reserve)', async () => {
    const auth = { authorization: `Bearer ${await sim.issueToken('admin')}` };
    await withService({ AIRFLOW_BREAKER_THRESHOLD: '0', AIRFLOW_RETRIES: '2' }, async (s) => {
      sim.setFault({ match: { pathIncludes: '/dags' }, status: 503 });
      const t0 = performance.now();
      const calls = 60;
      for (let i = 0; i < calls; i++) await callTool(s.url, 'list_dags', {}, auth);
      const seconds = (performance.now() - t0) / 1000;
      const attempts = sim.calls.filter((c) => c.status === 503).length;
      const retries = attempts - calls;
      // Reserve 10 + 0.1 per call + refill of 1 token/s: far below the 120 retries an unbudgeted client makes.
      expect(retries).toBeGreaterThan(0);
      expect(retries).toBeLessThanOrEqual(10 + calls * 0.1 + Math.ceil(seconds) + 1);
      expect(metricValue(await s.metrics(), 'airflow_mcp_upstream_retries_total')).toBe(retries);
      recordRow(
        'upstream',
        `503 on every call, ${calls} sequential GETs, breaker off`,
        `${retries} retries in total (unbudgeted: ${calls * 2})`,
        Math.round(seconds * 1000),
      );
    });
  });
});

describe('circuit breaker', () => {
  it('opens after consecutive failures, fails fast without calling Airflow, and recovers by itself', async () => {
    const auth = { authorization: `Bearer ${await sim.issueToken('admin')}` };
    await withService(
      { AIRFLOW_RETRIES: '0', AIRFLOW_BREAKER_THRESHOLD: '3', AIRFLOW_BREAKER_COOLDOWN_MS: '2000' },
      async (s) => {
        sim.setFault({ match: { pathIncludes: '/dags' }, status: 503 });
        for (let i = 0; i < 3; i++) {
          const r = await callTool(s.url, 'list_dags', {}, auth);
          expect(r.body).toMatchObject({ code: 'upstream_unavailable', status: 503 });
        }
        expect(sim.calls).toHaveLength(3);
        const fast = await callTool(s.url, 'list_dags', {}, auth);
        expect(fast.body).toMatchObject({ code: 'upstream_unavailable', retryable: true });
        expect(String(fast.body?.message)).toContain('calls are paused');
        expect(String(fast.body?.hint)).toContain('resume by themselves');
        expect(fast.ms).toBeLessThan(500);
        expect(sim.calls).toHaveLength(3);
        let m = await s.metrics();
        expect(metricValue(m, 'airflow_mcp_upstream_breaker_state')).toBe(2);
        expect(metricValue(m, 'airflow_mcp_upstream_short_circuited_total')).toBe(1);
        recordRow('upstream', 'Airflow down (503), breaker open', sawOf(fast), fast.ms);

        // Airflow comes back; after the cool-down one probe goes through and closes the breaker.
        sim.setFault(null);
        await new Promise((r) => setTimeout(r, 2100));
        const probe = await callTool(s.url, 'list_dags', {}, auth);
        expect(probe.body?.code).toBeUndefined();
        const after = await callTool(s.url, 'list_dags', {}, auth);
        expect(after.body?.code).toBeUndefined();
        m = await s.metrics();
        expect(metricValue(m, 'airflow_mcp_upstream_breaker_state')).toBe(0);
        expect(s.logs.some((l) => l.includes('"breaker":"open"'))).toBe(true);
        expect(s.logs.some((l) => l.includes('"breaker":"closed"'))).toBe(true);
        recordRow(
          'upstream',
          'Airflow back after the cool-down',
          `${sawOf(probe)} (half-open probe closed the breaker)`,
          probe.ms,
        );
      },
    );
  });

  it('a failed half-open probe re-opens the breaker', async () => {
    const auth = { authorization: `Bearer ${await sim.issueToken('admin')}` };
    await withService(
      { AIRFLOW_RETRIES: '0', AIRFLOW_BREAKER_THRESHOLD: '2', AIRFLOW_BREAKER_COOLDOWN_MS: '1500' },
      async (s) => {
        sim.setFault({ match: { pathIncludes: '/dags' }, status: 500 });
        await callTool(s.url, 'list_dags', {}, auth);
        await callTool(s.url, 'list_dags', {}, auth);
        await new Promise((r) => setTimeout(r, 1600));
        const probe = await callTool(s.url, 'list_dags', {}, auth);
        expect(probe.body).toMatchObject({ status: 500 });
        const fast = await callTool(s.url, 'list_dags', {}, auth);
        expect(String(fast.body?.message)).toContain('calls are paused');
        expect(sim.calls).toHaveLength(3);
      },
    );
  });

  it('per-caller errors (401, 403, 404) never open it', async () => {
    await withService({ AIRFLOW_RETRIES: '0', AIRFLOW_BREAKER_THRESHOLD: '2' }, async (s) => {
      const viewer = { authorization: `Bearer ${await sim.issueToken('viewer')}` };
      const forged = {
        authorization: `Bearer ${await sim.issueToken('admin', { secret: 'another-secret-another-secret-another-secret' })}`,
      };
      for (let i = 0; i < 4; i++) {
        expect((await callTool(s.url, 'list_dags')).body).toMatchObject({
          code: 'upstream_unauthorized',
          status: 401,
        });
        expect((await callTool(s.url, 'list_dags', {}, forged)).body).toMatchObject({ status: 403 });
        expect((await callTool(s.url, 'trigger_dag', { dag_id: DAG }, viewer)).body).toMatchObject({
          code: 'upstream_forbidden',
        });
        expect((await callTool(s.url, 'get_dag_details', { dag_id: 'nope' }, viewer)).body).toMatchObject({
          code: 'not_found',
        });
      }
      expect(metricValue(await s.metrics(), 'airflow_mcp_upstream_short_circuited_total')).toBe(0);
      expect(metricValue(await s.metrics(), 'airflow_mcp_upstream_breaker_state')).toBe(0);
      const ok = await callTool(s.url, 'list_dags', {}, viewer);
      expect(ok.body?.code).toBeUndefined();
    });
  });
});
