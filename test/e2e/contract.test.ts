// Contract: the same requests against real Airflow 3 and the simulator must answer with the same statuses and shapes.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../src/sim/index.js';
import { login, type RealAirflow, realAirflow } from './helpers/airflow.js';

interface Target {
  name: string;
  base: string;
  admin: string;
  viewer: string;
  dag: string;
}

interface Answer {
  status: number;
  body: unknown;
}

let airflow: RealAirflow;
let sim: Simulator;
let real: Target;
let fake: Target;

async function tokenFrom(base: string, user: string): Promise<string> {
  const res = await request(`${base}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username: user, password: user }),
  });
  const body = (await res.body.json()) as { access_token: string };
  return body.access_token;
}

beforeAll(async () => {
  airflow = realAirflow();
  sim = await startSimulator({ auth: 'enforced', runDurationMs: 500 });
  real = {
    name: 'airflow',
    base: airflow.url,
    admin: await login(airflow, 'admin'),
    viewer: await login(airflow, 'viewer'),
    dag: 'e2e_success',
  };
  fake = {
    name: 'simulator',
    base: sim.url,
    admin: await tokenFrom(sim.url, 'admin'),
    viewer: await tokenFrom(sim.url, 'viewer'),
    dag: 'etl_daily_sales',
  };
});
afterAll(async () => {
  await sim?.close();
});

async function call(
  t: Target,
  method: string,
  path: string,
  opts: { token?: string | null; body?: unknown } = {},
): Promise<Answer> {
  const token = opts.token === undefined ? t.admin : opts.token;
  const res = await request(`${t.base}/api/v2${path.replaceAll('{dag}', t.dag)}`, {
    method: method as 'GET',
    headers: {
      accept: 'application/json',
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}),
  });
  const text = await res.body.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // keep text
  }
  return { status: res.statusCode, body };
}

/** The keys of an object (or of the first item of its list field), to compare shapes not values. */
function keysOf(value: unknown, list?: string): string[] {
  let v = value as Record<string, unknown>;
  if (list) v = ((v?.[list] as Record<string, unknown>[]) ?? [])[0] ?? {};
  return Object.keys(v ?? {}).sort();
}

type Probe = {
  name: string;
  method: string;
  path: string;
  token?: 'viewer' | 'none' | 'garbage';
  body?: unknown;
  list?: string;
  keys?: boolean;
};

const probes: Probe[] = [
  { name: 'version', method: 'GET', path: '/version', token: 'none', keys: true },
  { name: 'health', method: 'GET', path: '/monitor/health', token: 'none', keys: true },
  { name: 'dags list', method: 'GET', path: '/dags?limit=2', list: 'dags', keys: true },
  { name: 'dag details', method: 'GET', path: '/dags/{dag}/details' },
  { name: 'dag runs list', method: 'GET', path: '/dags/~/dagRuns?limit=2', list: 'dag_runs', keys: true },
  { name: 'unknown dag', method: 'GET', path: '/dags/no_such_dag_xyz' },
  { name: 'no token', method: 'GET', path: '/dags', token: 'none' },
  { name: 'garbage token', method: 'GET', path: '/dags', token: 'garbage' },
  {
    name: 'viewer trigger forbidden',
    method: 'POST',
    path: '/dags/{dag}/dagRuns',
    token: 'viewer',
    body: { logical_date: null },
  },
  {
    name: 'trigger with unknown field',
    method: 'POST',
    path: '/dags/{dag}/dagRuns',
    body: { logical_date: null, bogus: 1 },
  },
  { name: 'import errors', method: 'GET', path: '/importErrors?limit=1' },
  { name: 'dag warnings', method: 'GET', path: '/dagWarnings?limit=1' },
  { name: 'pools', method: 'GET', path: '/pools?limit=5', list: 'pools', keys: true },
  { name: 'variables as viewer', method: 'GET', path: '/variables', token: 'viewer' },
  { name: 'connections as viewer', method: 'GET', path: '/connections', token: 'viewer' },
  { name: 'config', method: 'GET', path: '/config' },
];

describe('simulator agrees with real Airflow 3', () => {
  it.each(probes)('$name: same status and shape', async (p) => {
    const answers: Answer[] = [];
    for (const t of [real, fake]) {
      const token =
        p.token === 'none'
          ? null
          : p.token === 'viewer'
            ? t.viewer
            : p.token === 'garbage'
              ? 'garbage.token.x'
              : t.admin;
      answers.push(await call(t, p.method, p.path, { token, body: p.body }));
    }
    const [a, s] = answers as [Answer, Answer];
    expect(s.status, `${p.name}: simulator status`).toBe(a.status);
    if (a.status >= 400) {
      // Error bodies: {"detail": ...} with the same message for auth errors.
      expect(typeof (s.body as { detail?: unknown }).detail).toBe(
        typeof (a.body as { detail?: unknown }).detail,
      );
      if (a.status === 401 || a.status === 403)
        expect((s.body as { detail: unknown }).detail).toEqual((a.body as { detail: unknown }).detail);
    }
    if (p.keys) {
      const missing = keysOf(a.body, p.list).filter((k) => !keysOf(s.body, p.list).includes(k));
      expect(missing, `${p.name}: keys real Airflow has that the simulator lacks`).toEqual([]);
    }
  });

  it('trigger answers 200 with the same run fields, and 409 for a duplicate run id', async () => {
    const runId = `contract_${Date.now()}`;
    const answers: Answer[] = [];
    for (const t of [real, fake]) {
      const first = await call(t, 'POST', '/dags/{dag}/dagRuns', {
        body: { logical_date: null, dag_run_id: runId },
      });
      const dup = await call(t, 'POST', '/dags/{dag}/dagRuns', {
        body: { logical_date: null, dag_run_id: runId },
      });
      expect(dup.status, `${t.name} duplicate`).toBe(409);
      answers.push(first);
      await call(t, 'DELETE', `/dags/{dag}/dagRuns/${runId}`);
    }
    const [a, s] = answers as [Answer, Answer];
    expect(s.status).toBe(a.status);
    expect(keysOf(a.body).filter((k) => !keysOf(s.body).includes(k))).toEqual([]);
  });
});
