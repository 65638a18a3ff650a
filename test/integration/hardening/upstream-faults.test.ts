// Upstream faults from real sockets and the simulator: each ends in a clear tool error within AIRFLOW_TIMEOUT_MS.
import { createServer as createHttpServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServer as createNetServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { startTestService, type TestService, withTestService } from '../../helpers/service.js';
import { callTool, recordRow, sawOf } from './support.js';

const TIMEOUT_MS = 2000;
const DAG = 'asset_producer_orders';
// A little slack for the event loop and the MCP round trip on a busy CI machine.
const BOUND_MS = TIMEOUT_MS + 1500;
const ENV = {
  AIRFLOW_API_VERSION: 'v2',
  AIRFLOW_TIMEOUT_MS: String(TIMEOUT_MS),
  // The breaker has its own tests; here every call must reach the fault.
  AIRFLOW_BREAKER_THRESHOLD: '0',
};

let sim: Simulator;
let service: TestService;
const token = 'Bearer fault-test-token.abc.def';
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
  service = await startTestService({ airflowUrl: sim.url, env: { ...ENV, AIRFLOW_AUTH_MODE: 'forward' } });
});
afterAll(async () => {
  await service.close();
  await sim.close();
});
beforeEach(() => {
  sim.setFault(null);
  sim.resetCalls();
});

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function withService(url: string, fn: (s: TestService) => Promise<void>) {
  return withTestService({ airflowUrl: url, env: { ...ENV, AIRFLOW_AUTH_MODE: 'none' } }, fn);
}

const callsOf = (r: { requestId: string }) => sim.calls.filter((c) => c.requestId === r.requestId);

describe('Airflow unreachable', () => {
  it('connection refused → upstream_unavailable "connection refused", retried, fast', async () => {
    const probe = createNetServer();
    const port = await listen(probe);
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    await withService(`http://127.0.0.1:${port}`, async (s) => {
      const r = await callTool(s.url, 'list_dags');
      expect(r.body).toMatchObject({ code: 'upstream_unavailable', retryable: true });
      expect(String(r.body?.message)).toContain('connection refused');
      expect(r.ms).toBeLessThan(BOUND_MS);
      recordRow('upstream', 'connection refused', sawOf(r), r.ms);
    });
  });

  it('DNS failure (.invalid host) → upstream_unavailable "host name not found"', async () => {
    await withService('http://airflow.hardening-test.invalid:8080', async (s) => {
      const r = await callTool(s.url, 'list_dags');
      expect(r.body).toMatchObject({ code: 'upstream_unavailable' });
      expect(String(r.body?.message)).toMatch(/host name not found|EAI_AGAIN/);
      expect(r.ms).toBeLessThan(BOUND_MS + 3000);
      recordRow('upstream', 'DNS failure (`airflow.….invalid`)', sawOf(r), r.ms);
    });
  });

  it('connect timeout (TLS handshake that never completes) → upstream_timeout within the timeout', async () => {
    const sockets: Socket[] = [];
    // Accepts TCP and then says nothing: the TLS ClientHello is never answered.
    const silent = createNetServer((socket) => sockets.push(socket));
    const port = await listen(silent);
    try {
      await withService(`https://127.0.0.1:${port}`, async (s) => {
        const r = await callTool(s.url, 'list_dags');
        expect(r.body).toMatchObject({ code: 'upstream_timeout', retryable: true });
        expect(r.ms).toBeGreaterThanOrEqual(TIMEOUT_MS - 100);
        expect(r.ms).toBeLessThan(BOUND_MS);
        recordRow(
          'upstream',
          'connect timeout (TLS server that never answers the handshake)',
          sawOf(r),
          r.ms,
        );
      });
    } finally {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('Airflow misbehaving (simulator faults)', () => {
  it('slow headers → upstream_timeout at AIRFLOW_TIMEOUT_MS, not retried past the deadline', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, delayHeadersMs: 5000 });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_timeout' });
    expect(r.ms).toBeLessThan(BOUND_MS);
    recordRow('upstream', 'slow headers (5 s)', sawOf(r), r.ms);
  });

  it('slow body → upstream_timeout at AIRFLOW_TIMEOUT_MS', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, slowBodyMs: 5000 });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_timeout' });
    expect(r.ms).toBeLessThan(BOUND_MS);
    recordRow('upstream', 'slow body (5 s trickle)', sawOf(r), r.ms);
  });

  it('5xx → retried twice for a GET, then upstream_unavailable with the status', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, status: 503 });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_unavailable', status: 503, retryable: true });
    expect(callsOf(r)).toHaveLength(3);
    expect(r.ms).toBeLessThan(BOUND_MS);
    recordRow('upstream', '503 on every call (GET)', `${sawOf(r)}; 3 attempts`, r.ms);
  });

  it('500 on a write → one attempt only, upstream_unavailable', async () => {
    sim.setFault({ match: { method: 'POST', pathIncludes: '/dagRuns' }, status: 500 });
    const r = await callTool(service.url, 'trigger_dag', { dag_id: DAG }, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_unavailable', status: 500 });
    expect(callsOf(r).filter((c) => c.method === 'POST')).toHaveLength(1);
    recordRow('upstream', '500 on trigger_dag (POST)', `${sawOf(r)}; 1 attempt (writes never retry)`, r.ms);
  });

  it('429 with Retry-After: 1 once → waits and succeeds', async () => {
    sim.setFault({
      match: { pathIncludes: '/dags' },
      status: 429,
      headers: { 'retry-after': '1' },
      times: 1,
    });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.ex.rpc?.result).toBeDefined();
    expect(r.body?.code).toBeUndefined();
    expect(r.ms).toBeGreaterThanOrEqual(950);
    expect(callsOf(r)).toHaveLength(2);
    recordRow('upstream', '429 + Retry-After: 1, once', `${sawOf(r)} after the wait; 2 attempts`, r.ms);
  });

  it('429 with a Retry-After beyond the deadline → fails at once, saying when to retry', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, status: 429, headers: { 'retry-after': '120' } });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_unavailable', status: 429, retryable: true });
    expect(String(r.body?.message)).toContain('Retry after 120 s');
    expect(callsOf(r)).toHaveLength(1);
    expect(r.ms).toBeLessThan(1000);
    recordRow('upstream', '429 + Retry-After: 120', sawOf(r), r.ms);
  });

  it('truncated JSON → upstream_unavailable "invalid JSON"', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, truncateBody: true });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_unavailable' });
    expect(String(r.body?.message)).toContain('invalid JSON');
    recordRow('upstream', 'truncated JSON body', sawOf(r), r.ms);
  });

  it('invalid JSON (an HTML error page) → upstream_unavailable with a hint about proxies', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, invalidJson: true });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'upstream_unavailable' });
    expect(String(r.body?.hint)).toContain('proxy');
    recordRow('upstream', 'invalid JSON (HTML page)', sawOf(r), r.ms);
  });

  it('a 1 GB JSON answer is cut at the 16 MiB cap while streaming, never buffered whole', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, hugeBodyBytes: 1024 * 1024 * 1024, times: 1 });
    const heapBefore = process.memoryUsage().heapUsed;
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body).toMatchObject({ code: 'too_large', retryable: false });
    expect(String(r.body?.message)).toContain('larger than 16777216 bytes');
    // Reading 1 GB would take far longer and far more memory than this.
    expect(r.ms).toBeLessThan(BOUND_MS + 2000);
    expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(200 * 1024 * 1024);
    recordRow('upstream', '1 GB JSON answer (cap 16 MiB)', sawOf(r), r.ms);
  });

  it('a redirect to another origin is not followed: the Authorization header never gets there', async () => {
    const received: IncomingMessage[] = [];
    const thief = createHttpServer((req, res) => {
      received.push(req);
      res.end('{}');
    });
    const port = await listen(thief);
    try {
      for (const status of [301, 302, 307, 308]) {
        sim.setFault({
          match: { pathIncludes: '/dags' },
          redirectTo: `http://127.0.0.1:${port}/steal`,
          status,
        });
        const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
        expect(r.body).toMatchObject({ code: 'misconfigured', status, retryable: false });
        expect(String(r.body?.hint)).toContain('redirects are not followed');
        if (status === 307)
          recordRow(
            'upstream',
            'redirect 307 to another origin',
            `${sawOf(r)}; the other origin received 0 requests`,
            r.ms,
          );
      }
      expect(received).toHaveLength(0);
    } finally {
      await new Promise<void>((resolve) => thief.close(() => resolve()));
    }
  });

  it('a dropped connection on a GET is retried and the call succeeds', async () => {
    sim.setFault({ match: { pathIncludes: '/dags' }, destroySocket: true, times: 1 });
    const r = await callTool(service.url, 'list_dags', {}, { authorization: token });
    expect(r.body?.code).toBeUndefined();
    expect(r.ex.rpc?.result).toBeDefined();
    recordRow('upstream', 'connection dropped once (GET)', `${sawOf(r)}; retried`, r.ms);
  });
});
