// Contract: the same requests against real Airflow 3 and the simulator must answer with the same statuses and shapes.
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../sim/index.js';
import { login, type RealAirflow, realAirflow } from './helpers/airflow.js';

interface Target {
  name: string;
  base: string;
  admin: string;
  viewer: string;
  dag: string;
  /** Ids for path placeholders: a mapped DAG's run and tasks, an XCom run, an asset-triggered run. */
  ids: Record<string, string>;
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
    ids: { mdag: 'e2e_mapped', xdag: 'e2e_xcom', adag: 'e2e_asset_consumer', pdag: 'e2e_asset_producer' },
  };
  fake = {
    name: 'simulator',
    base: sim.url,
    admin: await tokenFrom(sim.url, 'admin'),
    viewer: await tokenFrom(sim.url, 'viewer'),
    dag: 'etl_daily_sales',
    ids: {
      mdag: 'example_dynamic_mapping',
      xdag: 'xcom_pipeline',
      adag: 'asset_consumer_reporting',
      pdag: 'asset_producer_orders',
    },
  };
  for (const t of [real, fake]) await resolveIds(t);
});

/** The newest successful run of a DAG; on real Airflow one is triggered (and awaited) if there is none. */
async function successfulRun(t: Target, dagId: string, query = ''): Promise<string> {
  const find = async () => {
    const res = await call(
      t,
      'GET',
      `/dags/${dagId}/dagRuns?state=success&order_by=-run_after&limit=1${query}`,
    );
    return (res.body as { dag_runs?: { dag_run_id: string }[] }).dag_runs?.[0]?.dag_run_id;
  };
  let found = await find();
  if (found || t !== real) return found ?? 'none';
  const trigger = query ? t.ids.pdag! : dagId;
  await call(t, 'POST', `/dags/${trigger}/dagRuns`, { body: { logical_date: null } });
  const deadline = Date.now() + 240_000;
  while (!found && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 2000));
    found = await find();
  }
  if (!found) throw new Error(`no successful run of ${dagId} on real Airflow`);
  return found;
}

async function resolveIds(t: Target) {
  t.ids.run = await successfulRun(t, t.ids.mdag!);
  t.ids.xrun = await successfulRun(t, t.ids.xdag!);
  t.ids.arun = await successfulRun(t, t.ids.adag!, '&run_type=asset_triggered');
  const tis = await call(
    t,
    'GET',
    `/dags/${t.ids.mdag}/dagRuns/${encodeURIComponent(t.ids.run)}/taskInstances`,
  );
  const list = (tis.body as { task_instances: { task_id: string; map_index: number }[] }).task_instances;
  t.ids.mtask = list.find((x) => x.map_index >= 0)!.task_id;
  t.ids.task = list.find((x) => x.map_index < 0)!.task_id;
}
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
  const res = await request(`${t.base}/api/v2${fill(t, path)}`, {
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

/** Fills {dag} and the id placeholders of a path (run ids URL-encoded). */
function fill(t: Target, path: string): string {
  return path.replace(/\{(\w+)\}/g, (m, k: string) =>
    k === 'dag' ? t.dag : t.ids[k] !== undefined ? encodeURIComponent(t.ids[k]) : m,
  );
}

/** Where values are test data (DAG-specific conf, params, rendered fields), not response shape. */
const DATA_PATHS = /\.(conf|default_args|rendered_fields|extra|params|asset_expression|value)(\.|\[|$)/;

/**
 * Fields real Airflow has that the simulator lacks, and fields whose JSON type differs (null aside),
 * recursively (first item of each list).
 */
function shapeGaps(a: unknown, s: unknown, path = ''): string[] {
  if (DATA_PATHS.test(path)) return [];
  if (Array.isArray(a)) {
    if (!Array.isArray(s)) return [`${path}: real list, simulator ${typeof s}`];
    return a.length && s.length ? shapeGaps(a[0], s[0], `${path}[]`) : [];
  }
  if (a && typeof a === 'object') {
    if (!s || typeof s !== 'object')
      return [`${path}: real object, simulator ${s === null ? 'null' : typeof s}`];
    return Object.keys(a).flatMap((k) =>
      k in s
        ? shapeGaps((a as Record<string, unknown>)[k], (s as Record<string, unknown>)[k], `${path}.${k}`)
        : [`${path}.${k}: missing in the simulator`],
    );
  }
  const [ta, ts] = [a === null ? 'null' : typeof a, s === null ? 'null' : typeof s];
  return ta !== ts && ta !== 'null' && ts !== 'null' ? [`${path}: real ${ta}, simulator ${ts}`] : [];
}

/** An error detail with the target's ids replaced by their placeholder names, to compare wordings. */
function genericDetail(t: Target, body: unknown): unknown {
  let text = JSON.stringify((body as { detail?: unknown }).detail);
  const ids = Object.entries({ ...t.ids, dag: t.dag }).sort((x, y) => y[1].length - x[1].length);
  for (const [k, v] of ids) text = text.replaceAll(v, `{${k}}`);
  return JSON.parse(text);
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
  /** Compare the whole response shape (shapeGaps) on success. */
  deep?: boolean;
  /** Compare the error detail's wording (ids replaced). */
  sameDetail?: boolean;
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
  // Shapes of every route the service reads (found by the tools e2e tests; see the report of issue 4).
  { name: 'dag details shape', method: 'GET', path: '/dags/{mdag}/details', deep: true },
  { name: 'tasks shape', method: 'GET', path: '/dags/{mdag}/tasks', deep: true },
  { name: 'run list shape (cursor fields)', method: 'GET', path: '/dags/{mdag}/dagRuns?limit=1', deep: true },
  {
    name: 'task instance list shape',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances?limit=2',
    deep: true,
  },
  {
    name: 'mapped task instance',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances/{mtask}/1',
    deep: true,
  },
  {
    name: 'xcom list shape',
    method: 'GET',
    path: '/dags/{xdag}/dagRuns/{xrun}/taskInstances/~/xcomEntries',
    deep: true,
  },
  {
    name: 'mapped xcom entry',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances/{mtask}/xcomEntries/return_value?map_index=1',
    deep: true,
  },
  { name: 'event log shape', method: 'GET', path: '/eventLogs?limit=1&order_by=-id', deep: true },
  { name: 'connection shape', method: 'GET', path: '/connections?limit=1', deep: true },
  { name: 'provider shape', method: 'GET', path: '/providers?limit=1', deep: true },
  { name: 'asset shape', method: 'GET', path: '/assets?limit=1', deep: true },
  { name: 'asset event shape', method: 'GET', path: '/assets/events?limit=1', deep: true },
  {
    name: 'upstream asset events shape',
    method: 'GET',
    path: '/dags/{adag}/dagRuns/{arun}/upstreamAssetEvents',
    deep: true,
  },
  {
    name: 'clear run dry run shape',
    method: 'POST',
    path: '/dags/{mdag}/dagRuns/{run}/clear',
    body: { dry_run: true, only_failed: false },
    deep: true,
  },
  {
    name: 'run list: unknown state → 422 naming the valid ones',
    method: 'GET',
    path: '/dags/~/dagRuns?state=bogus',
    sameDetail: true,
  },
  {
    name: 'run list: Airflow 2 run type dataset_triggered → 422',
    method: 'GET',
    path: '/dags/~/dagRuns?run_type=dataset_triggered',
    sameDetail: true,
  },
  {
    name: 'task instance list: unknown state → 422',
    method: 'GET',
    path: '/dags/~/dagRuns/~/taskInstances?state=bogus',
    sameDetail: true,
  },
  {
    name: 'task instance list: state none',
    method: 'GET',
    path: '/dags/~/dagRuns/~/taskInstances?state=none',
  },
  { name: 'unknown task', method: 'GET', path: '/dags/{mdag}/tasks/nope', sameDetail: true },
  {
    name: 'unknown task instance',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances/nope',
    sameDetail: true,
  },
  {
    name: 'missing mapped task instance',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances/{task}/5',
    sameDetail: true,
  },
  {
    name: 'log of a mapped task without map_index',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances/{mtask}/logs/1',
    sameDetail: true,
  },
  {
    name: 'mapped task instance without map_index',
    method: 'GET',
    path: '/dags/{mdag}/dagRuns/{run}/taskInstances/{mtask}',
    sameDetail: true,
  },
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
    if (p.sameDetail) {
      expect(genericDetail(fake, s.body), `${p.name}: simulator wording`).toEqual(
        genericDetail(real, a.body),
      );
    }
    if (p.deep && a.status < 300) {
      expect(shapeGaps(a.body, s.body), `${p.name}: shape differences`).toEqual([]);
    }
    if (p.keys) {
      const missing = keysOf(a.body, p.list).filter((k) => !keysOf(s.body, p.list).includes(k));
      expect(missing, `${p.name}: keys real Airflow has that the simulator lacks`).toEqual([]);
    }
  });

  it('trigger answers 200 with the same run fields, and 409 for a duplicate run id', async () => {
    const runId = `contract_${Date.now()}`;
    const answers: Answer[] = [];
    const dups: Answer[] = [];
    for (const t of [real, fake]) {
      const first = await call(t, 'POST', '/dags/{dag}/dagRuns', {
        body: { logical_date: null, dag_run_id: runId },
      });
      const dup = await call(t, 'POST', '/dags/{dag}/dagRuns', {
        body: { logical_date: null, dag_run_id: runId },
      });
      expect(dup.status, `${t.name} duplicate`).toBe(409);
      dups.push(dup);
      answers.push(first);
      await call(t, 'DELETE', `/dags/{dag}/dagRuns/${runId}`);
    }
    const [a, s] = answers as [Answer, Answer];
    expect(s.status).toBe(a.status);
    expect(keysOf(a.body).filter((k) => !keysOf(s.body).includes(k))).toEqual([]);
    // The 409 detail is a database error object, SQL hidden (expose_stacktrace off), with a log id.
    const [da, ds] = dups.map((d) => (d.body as { detail: Record<string, unknown> }).detail);
    expect(Object.keys(ds!).sort()).toEqual(Object.keys(da!).sort());
    expect(ds).toMatchObject({ reason: da!.reason, statement: da!.statement, orig_error: da!.orig_error });
  });

  it('a log opens with the same three bare source events', async () => {
    const opening: unknown[][] = [];
    for (const t of [real, fake]) {
      const res = await call(
        t,
        'GET',
        '/dags/{mdag}/dagRuns/{run}/taskInstances/{task}/logs/1?full_content=false',
      );
      expect(res.status, t.name).toBe(200);
      const content = (res.body as { content: Record<string, unknown>[] }).content.slice(0, 3);
      opening.push(
        content.map((e) => ({ keys: Object.keys(e), event: String(e.event).replace(/^\/.*\.log$/, 'PATH') })),
      );
    }
    expect(opening[1]).toEqual(opening[0]);
    expect(opening[0]).toEqual([
      { keys: ['event'], event: '::group::Log message source details' },
      { keys: ['event'], event: 'PATH' },
      { keys: ['event'], event: '::endgroup::' },
    ]);
  });

  it('PATCH a variable without description keeps it; with description null clears it', async () => {
    const key = `contract_var_${Date.now()}`;
    const seen: unknown[] = [];
    for (const t of [real, fake]) {
      const created = await call(t, 'POST', '/variables', { body: { key, value: '1', description: 'kept' } });
      expect(created.status, t.name).toBe(201);
      const kept = await call(t, 'PATCH', `/variables/${key}`, { body: { key, value: '2' } });
      const cleared = await call(t, 'PATCH', `/variables/${key}`, {
        body: { key, value: '3', description: null },
      });
      await call(t, 'DELETE', `/variables/${key}`);
      seen.push([
        kept.status,
        (kept.body as { description: unknown }).description,
        (cleared.body as { description: unknown }).description,
      ]);
    }
    expect(seen[0]).toEqual([200, 'kept', null]);
    expect(seen[1]).toEqual(seen[0]);
  });
});
