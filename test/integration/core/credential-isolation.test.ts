// 500 overlapping tools/call requests with 20 tokens: every upstream call carries its own caller's credential.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { legacyHeaders, rawPost, toolsCall } from '../../helpers/raw-mcp.js';
import { ALL_LOG_LINES, metricValue, startTestService, type TestService } from '../../helpers/service.js';

const USERS = 20;
const CALLS = 500;
let sim: Simulator;
let service: TestService;
const credentials: { user: string; authorization: string; secret: string }[] = [];

beforeAll(async () => {
  const users: Record<string, { password: string; role: 'viewer' | 'user' | 'op' | 'admin' }> = {};
  for (let i = 0; i < USERS; i++) users[`user${i}`] = { password: `pw-${i}-secret`, role: 'viewer' };
  sim = await startSimulator({ auth: 'enforced', users, latencyMs: 5 });
  for (let i = 0; i < USERS; i++) {
    const user = `user${i}`;
    if (i % 2 === 0) {
      const jwt = await sim.issueToken(user);
      credentials.push({ user, authorization: `Bearer ${jwt}`, secret: jwt });
    } else {
      const raw = `${user}:pw-${i}-secret`;
      credentials.push({ user, authorization: `Basic ${Buffer.from(raw).toString('base64')}`, secret: raw });
    }
  }
  // Basic credentials only work on the Airflow 2 API; Bearer on Airflow 3: run one service per API.
  service = await startTestService({ airflowUrl: sim.url, env: { AIRFLOW_API_VERSION: 'v2' } });
});
afterAll(async () => {
  await service.close();
  await sim.close();
});

describe('per-request credential isolation', () => {
  it('500 concurrent calls from 20 callers: zero mismatches, exact per-path counts', async () => {
    const bearers = credentials.filter((c) => c.authorization.startsWith('Bearer'));
    sim.resetCalls();
    const sent = Array.from({ length: CALLS }, (_, i) => ({ i, cred: bearers[i % bearers.length]! }));
    const results = await Promise.all(
      sent.map(({ i, cred }) =>
        rawPost(
          service.url,
          toolsCall(i, 'list_dags', { limit: 1 }),
          legacyHeaders({
            authorization: cred.authorization,
            'x-request-id': `iso-${i}`,
          }),
        ),
      ),
    );
    expect(results.filter((r) => r.status !== 200 || r.rpc?.error || r.rpc?.result?.isError)).toEqual([]);

    const byRequest = new Map<string, Set<string | null>>();
    for (const call of sim.calls) {
      if (!call.requestId?.startsWith('iso-')) continue;
      const set = byRequest.get(call.requestId) ?? new Set();
      set.add(call.user);
      byRequest.set(call.requestId, set);
    }
    expect(byRequest.size).toBe(CALLS);
    let mismatches = 0;
    for (const { i, cred } of sent) {
      const users = byRequest.get(`iso-${i}`)!;
      if (users.size !== 1 || !users.has(cred.user)) mismatches++;
    }
    expect(mismatches).toBe(0);

    const text = await service.metrics();
    const upstreamCalls = sim.calls.filter((c) => c.requestId?.startsWith('iso-')).length;
    expect(metricValue(text, 'airflow_mcp_auth_forwarding_total', { path: 'forwarded_bearer' })).toBe(
      upstreamCalls,
    );
    expect(metricValue(text, 'airflow_mcp_auth_forwarding_total', { path: 'anonymous' })).toBe(0);
  });

  it('Basic credentials are forwarded to Airflow 2 per caller, with exact counts', async () => {
    const basics = credentials.filter((c) => c.authorization.startsWith('Basic'));
    const v1 = await startTestService({ airflowUrl: sim.url, env: { AIRFLOW_API_VERSION: 'v1' } });
    try {
      sim.resetCalls();
      const sent = Array.from({ length: 100 }, (_, i) => ({ i, cred: basics[i % basics.length]! }));
      const results = await Promise.all(
        sent.map(({ i, cred }) =>
          rawPost(
            v1.url,
            toolsCall(i, 'list_dags', { limit: 1 }),
            legacyHeaders({
              authorization: cred.authorization,
              'x-request-id': `b-${i}`,
            }),
          ),
        ),
      );
      expect(results.filter((r) => r.status !== 200 || r.rpc?.result?.isError)).toEqual([]);
      const wrong = sent.filter(({ i, cred }) =>
        sim.calls.some((c) => c.requestId === `b-${i}` && c.user !== cred.user),
      );
      expect(wrong).toEqual([]);
      const text = await v1.metrics();
      expect(metricValue(text, 'airflow_mcp_auth_forwarding_total', { path: 'forwarded_basic' })).toBe(
        sim.calls.filter((c) => c.requestId?.startsWith('b-')).length,
      );
    } finally {
      await v1.close();
    }
  });

  it('no credential appears in any log line written so far', () => {
    expect(ALL_LOG_LINES.length).toBeGreaterThan(CALLS);
    const joined = ALL_LOG_LINES.join('');
    for (const c of credentials) {
      expect(joined).not.toContain(c.secret);
      expect(joined).not.toContain(c.authorization.split(' ')[1]!);
    }
  });
});
