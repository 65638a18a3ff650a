// Enforced auth: Airflow 3's four JWT answers, role checks, Airflow 2 Basic auth, and what gets recorded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { basic, bearer, http } from './http.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'enforced', basePath: '/airflow', runDurationMs: 300 });
});
afterAll(() => sim.close());

const v2 = (p: string) => `${sim.url}/api/v2${p}`;
const v1 = (p: string) => `${sim.url}/api/v1${p}`;

describe('Airflow 3 token endpoint', () => {
  it('issues a JWT for good credentials with 201', async () => {
    const res = await http('POST', `${sim.url}/auth/token`, {
      body: { username: 'viewer', password: 'viewer' },
    });
    expect(res.status).toBe(201);
    expect(res.json.access_token.split('.')).toHaveLength(3);
    const ok = await http('GET', v2('/dags'), { headers: bearer(res.json.access_token) });
    expect(ok.status).toBe(200);
  });

  it('rejects bad credentials with 401 Invalid credentials', async () => {
    const res = await http('POST', `${sim.url}/auth/token`, {
      body: { username: 'viewer', password: 'nope' },
    });
    expect(res.status).toBe(401);
    expect(res.json).toEqual({ detail: 'Invalid credentials' });
  });
});

describe('Airflow 3 JWT answers', () => {
  it.each([
    ['no token', async () => ({}), 401, 'Not authenticated'],
    [
      'expired token',
      async () => bearer(await sim.issueToken('admin', { expiresInSeconds: -60 })),
      401,
      'Token Expired',
    ],
    [
      'wrong signature',
      async () =>
        bearer(await sim.issueToken('admin', { secret: 'another-secret-of-decent-length-0123456789' })),
      403,
      'Invalid JWT token',
    ],
    ['malformed token', async () => bearer('not.a.jwt'), 403, 'Invalid JWT token'],
  ])('%s', async (_name, headers, status, detail) => {
    const res = await http('GET', v2('/dags'), { headers: await headers() });
    expect(res.status).toBe(status);
    expect(res.json).toEqual({ detail });
    if (detail === 'Not authenticated') expect(res.headers['www-authenticate']).toBe('Bearer');
  });

  it('serves version and health without credentials', async () => {
    expect((await http('GET', v2('/version'))).json.version).toBe('3.3.2');
    expect((await http('GET', v2('/monitor/health'))).json.metadatabase.status).toBe('healthy');
    expect((await http('GET', v1('/version'))).json.version).toBe('2.11.0');
  });
});

describe('roles', () => {
  const trigger = { logical_date: null };
  it.each([
    ['viewer', 'GET', '/dags', undefined, 200],
    ['viewer', 'GET', '/connections', undefined, 403],
    ['viewer', 'GET', '/variables', undefined, 403],
    ['viewer', 'GET', '/config', undefined, 403],
    ['viewer', 'POST', '/dags/etl_daily_sales/dagRuns', trigger, 403],
    ['user', 'POST', '/dags/etl_daily_sales/dagRuns', trigger, 200],
    ['user', 'GET', '/variables', undefined, 403],
    ['user', 'POST', '/variables', { key: 'k_user', value: 'v' }, 403],
    ['op', 'GET', '/variables', undefined, 200],
    ['op', 'GET', '/connections', undefined, 200],
    ['op', 'POST', '/variables', { key: 'k_op', value: 'v' }, 201],
    ['admin', 'GET', '/config', undefined, 200],
  ] as const)('%s %s %s → %i', async (role, method, path, body, status) => {
    const res = await http(method, v2(path), { headers: bearer(await sim.issueToken(role)), body });
    expect(res.status).toBe(status);
    if (status === 403) expect(res.json).toEqual({ detail: 'Forbidden' });
  });
});

describe('Airflow 2 Basic auth', () => {
  it('challenges missing or wrong credentials with 401 and WWW-Authenticate: Basic', async () => {
    for (const headers of [{}, basic('admin', 'wrong'), bearer(await sim.issueToken('admin'))]) {
      const res = await http('GET', v1('/dags'), { headers });
      expect(res.status).toBe(401);
      expect(res.headers['www-authenticate']).toBe('Basic');
    }
  });

  it('answers 403 in RFC 7807 form when the role is not enough', async () => {
    const res = await http('GET', v1('/connections'), { headers: basic('viewer', 'viewer') });
    expect(res.status).toBe(403);
    expect(res.json).toMatchObject({ status: 403, title: 'Forbidden' });
    expect(res.json.type).toContain('PermissionDenied');
  });

  it('serves a permitted user', async () => {
    const res = await http('GET', v1('/dags?limit=1'), { headers: basic('op', 'op') });
    expect(res.status).toBe(200);
    expect(res.json.dags[0]).toHaveProperty('is_active');
  });
});

describe('sim_whoami', () => {
  it('names the authenticated caller on both APIs', async () => {
    const token = await sim.issueToken('carol', { role: 'op' });
    const a = await http('GET', v2('/variables/sim_whoami'), { headers: bearer(token) });
    expect(a.json).toMatchObject({ key: 'sim_whoami', value: 'carol' });
    const b = await http('GET', v1('/variables/sim_whoami'), { headers: basic('op', 'op') });
    expect(b.json.value).toBe('op');
  });
});

describe('recorded calls', () => {
  it('records route template, user, scheme and x-request-id', async () => {
    sim.resetCalls();
    const token = await sim.issueToken('alice', { role: 'viewer' });
    await http('GET', v2('/dags/etl_daily_sales'), {
      headers: { ...bearer(token), 'x-request-id': 'req-1' },
    });
    await http('GET', v1('/dags'), { headers: { ...basic('user', 'user'), 'x-request-id': 'req-2' } });
    await http('GET', v2('/dags'), { headers: bearer('garbage') });
    await http('GET', `${sim.url}/nope`);
    expect(sim.calls).toEqual([
      {
        method: 'GET',
        path: '/airflow/api/v2/dags/etl_daily_sales',
        route: '/api/v2/dags/{dag_id}',
        status: 200,
        user: 'alice',
        authScheme: 'bearer',
        requestId: 'req-1',
      },
      {
        method: 'GET',
        path: '/airflow/api/v1/dags',
        route: '/api/v1/dags',
        status: 200,
        user: 'user',
        authScheme: 'basic',
        requestId: 'req-2',
      },
      {
        method: 'GET',
        path: '/airflow/api/v2/dags',
        route: '/api/v2/dags',
        status: 403,
        user: null,
        authScheme: 'invalid',
        requestId: null,
      },
      {
        method: 'GET',
        path: '/airflow/nope',
        route: 'unmatched',
        status: 404,
        user: null,
        authScheme: 'none',
        requestId: null,
      },
    ]);
  });
});
