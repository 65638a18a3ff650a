// The auto-detected API version is the replica's, not its first caller's: no caller's credentials,
// cancellation or auth failure decides it, and a failed detection is tried again.
import { request } from 'undici';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import { type FrontProxy, sendJson, startFrontProxy } from '../../helpers/front-proxy.js';
import { legacyHeaders, MCP_ACCEPT, toolsCall } from '../../helpers/raw-mcp.js';
import { startTestService, type TestService } from '../../helpers/service.js';
import { callTool, recordRow, sawOf } from './support.js';

let sim: Simulator;
let proxy: FrontProxy;
let service: TestService | undefined;
let bearer: string;

beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced' });
  bearer = `Bearer ${await sim.issueToken('admin')}`;
});
afterAll(async () => {
  await sim.close();
});
afterEach(async () => {
  await service?.close();
  service = undefined;
  await proxy?.close();
});

async function serviceBehindProxy(env: Record<string, string> = {}) {
  proxy = await startFrontProxy(sim.url);
  service = await startTestService({
    airflowUrl: proxy.url,
    env: { AIRFLOW_AUTH_MODE: 'forward', AIRFLOW_API_VERSION: 'auto', ...env },
  });
  return service;
}

const isProbe = (path: string) => /^\/api\/v[12]\/version/.test(path);
const apiCalls = (p: FrontProxy) => p.seen.filter((s) => !isProbe(s.path));

describe('API version detection is the replica’s own', () => {
  it('a caller that disconnects during the probe does not fail a concurrent caller', async () => {
    const s = await serviceBehindProxy();
    let release!: () => void;
    const released = new Promise<void>((r) => {
      release = r;
    });
    let probeSeen!: () => void;
    const probing = new Promise<void>((r) => {
      probeSeen = r;
    });
    proxy.intercept = async (req) => {
      if (!isProbe(req.url ?? '')) return false;
      probeSeen();
      await released; // hold the probe until both callers are waiting on it
      return false;
    };
    const leaving = new AbortController();
    const first = request(s.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: MCP_ACCEPT,
        ...legacyHeaders({ authorization: bearer }),
      },
      body: JSON.stringify(toolsCall(1, 'list_dags', { limit: 1 })),
      signal: leaving.signal,
    }).catch((e: unknown) => e);
    await probing;
    const t0 = performance.now();
    const second = callTool(s.url, 'list_dags', { limit: 1 }, { authorization: bearer });
    await new Promise((r) => setTimeout(r, 150)); // the second caller is now waiting on the same probe
    leaving.abort();
    await first;
    // Give a probe tied to the first caller time to be cancelled before letting the upstream answer.
    await new Promise((r) => setTimeout(r, 300));
    release();
    const other = await second;
    const ms = Math.round(performance.now() - t0);
    recordRow(
      'upstream',
      'a caller disconnects while the API version probe runs; a second caller waits on it',
      `second caller: ${sawOf(other)}`,
      ms,
    );
    expect(other.ex.rpc?.result?.isError, sawOf(other)).toBeFalsy();
    expect(proxy.seen.filter((x) => isProbe(x.path)).every((x) => !x.abandoned)).toBe(true);
    // The probe finished and is cached: the next call goes straight to the API.
    const next = await callTool(s.url, 'list_dags', { limit: 1 }, { authorization: bearer });
    expect(next.ex.rpc?.result?.isError).toBeFalsy();
    expect(proxy.seen.filter((x) => isProbe(x.path))).toHaveLength(1);
  });

  it('an anonymous first call through an auth proxy (401 without credentials) does not make the replica pick v1', async () => {
    const s = await serviceBehindProxy();
    proxy.intercept = async (req, res) => {
      if (req.headers.authorization) return false;
      sendJson(res, 401, { detail: 'Not authenticated' });
      return true;
    };
    const anonymous = await callTool(s.url, 'list_dags', { limit: 1 });
    expect(anonymous.body?.code).toBe('upstream_unauthorized');
    const t0 = performance.now();
    const valid = await callTool(s.url, 'list_dags', { limit: 1 }, { authorization: bearer });
    recordRow(
      'upstream',
      'auth proxy answering 401 to anonymous calls; an anonymous call first, then a valid token',
      `anonymous: \`${anonymous.body?.code}\`; valid token: ${sawOf(valid)} from /api/v2`,
      Math.round(performance.now() - t0),
    );
    expect(valid.ex.rpc?.result?.isError, sawOf(valid)).toBeFalsy();
    expect(apiCalls(proxy).map((x) => x.path.slice(0, 7))).toEqual(['/api/v2', '/api/v2']);
  });

  it('the probe never carries a caller’s credentials', async () => {
    const s = await serviceBehindProxy();
    const r = await callTool(s.url, 'list_dags', { limit: 1 }, { authorization: bearer });
    expect(r.ex.rpc?.result?.isError, sawOf(r)).toBeFalsy();
    const probes = proxy.seen.filter((x) => isProbe(x.path));
    expect(probes.length).toBeGreaterThan(0);
    expect(probes.map((x) => x.authorization)).toEqual(probes.map(() => undefined));
  });

  it('a failed detection is not cached: the next call probes again and succeeds', async () => {
    const s = await serviceBehindProxy({ AIRFLOW_RETRIES: '0' });
    let failures = 0;
    proxy.intercept = async (req, res) => {
      if (!isProbe(req.url ?? '') || failures >= 1) return false;
      failures++;
      sendJson(res, 503, { detail: 'Service Unavailable' });
      return true;
    };
    const failed = await callTool(s.url, 'list_dags', { limit: 1 }, { authorization: bearer });
    expect(failed.body).toMatchObject({ code: 'upstream_unavailable', retryable: true });
    const t0 = performance.now();
    const again = await callTool(s.url, 'list_dags', { limit: 1 }, { authorization: bearer });
    recordRow(
      'upstream',
      'API version probe answered 503 once',
      `first call: \`${failed.body?.code}\` (retryable); next call: ${sawOf(again)}`,
      Math.round(performance.now() - t0),
    );
    expect(again.ex.rpc?.result?.isError, sawOf(again)).toBeFalsy();
    expect(apiCalls(proxy).map((x) => x.path.slice(0, 7))).toEqual(['/api/v2']);
  });
});

describe('password mode with AIRFLOW_API_VERSION=auto', () => {
  it('against Airflow 2 (the simulator serving /api/v1 only) detects v1 first, then logs in with Basic', async () => {
    const v1sim = await startSimulator({
      auth: 'enforced',
      apiVersions: ['v1'],
      users: { svc: { password: 'svc-password-v1only', role: 'admin' } },
    });
    try {
      const s = await startTestService({
        airflowUrl: v1sim.url,
        env: {
          AIRFLOW_AUTH_MODE: 'password',
          AIRFLOW_USERNAME: 'svc',
          AIRFLOW_PASSWORD: 'svc-password-v1only',
          AIRFLOW_API_VERSION: 'auto',
        },
      });
      try {
        const t0 = performance.now();
        const r = await callTool(s.url, 'list_dags', { limit: 2 });
        recordRow(
          'upstream',
          'password mode, AIRFLOW_API_VERSION=auto, Airflow 2 (no /auth/token)',
          sawOf(r),
          Math.round(performance.now() - t0),
        );
        expect(r.ex.rpc?.result?.isError, sawOf(r)).toBeFalsy();
        expect(r.body?.items).toHaveLength(2);
        const paths = v1sim.calls.map((c) => c.path);
        expect(paths.some((p) => p.includes('/auth/token'))).toBe(false);
        expect(
          v1sim.calls.filter((c) => c.path.startsWith('/api/v1/dags')).every((c) => c.user === 'svc'),
        ).toBe(true);
      } finally {
        await s.close();
      }
    } finally {
      await v1sim.close();
    }
  });
});
