// Bad tool arguments reach the model as isError results (SEP-1303) on every serving path, with real clients.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../src/sim/index.js';
import {
  type ClientKind,
  connectClient,
  ERA_OF,
  payload,
  servedEra,
  type TestClient,
} from '../../helpers/clients.js';
import { startTestService, type TestService } from '../../helpers/service.js';

// A 2025-era client on the default service takes the direct path; with directDispatch=false the SDK's 2025
// path; the v2 client pinned to 2026-07-28 always goes through the SDK. Each case checks it got its path.
const PATHS: [string, ClientKind, boolean][] = [
  ['direct 2025 path (v1 client)', 'sdk-v1', true],
  ['SDK 2025 path (v1 client)', 'sdk-v1', false],
  ['direct 2025 path (v2 client, default negotiation)', 'sdk-v2', true],
  ['SDK 2026-07-28 path (v2 client pinned)', 'sdk-v2-2026', true],
];

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ auth: 'none' });
});
afterAll(async () => {
  await sim?.close();
});

describe.each(PATHS)('%s', (_name, kind, direct) => {
  let service: TestService;
  let client: TestClient;
  beforeAll(async () => {
    service = await startTestService({
      airflowUrl: sim.url,
      env: { AIRFLOW_AUTH_MODE: 'none', AIRFLOW_API_VERSION: 'v2' },
      directDispatch: direct,
    });
    client = await connectClient(kind, service.url);
  });
  afterAll(async () => {
    await client?.close();
    await service?.close();
  });

  const fails = async (name: string, args: Record<string, unknown>) => {
    const r = await client.callTool(name, args);
    expect(r.isError).toBe(true);
    expect(await servedEra(client.served, 'tools/call')).toBe(ERA_OF[kind]);
    // The direct path answers from one buffer (with a length); the SDK streams.
    const direct2025 = direct && ERA_OF[kind] === '2025';
    expect(client.served.at(-1)!.contentLength !== null).toBe(direct2025);
    return payload(r) as { code: string; message: string; hint: string };
  };

  it('a value that is not a date names the field, the expectation and an example', async () => {
    const body = await fails('list_dag_runs', { start_date_gte: 'today' });
    expect(body.code).toBe('invalid_argument');
    expect(body.message).toMatch(/^Invalid argument start_date_gte: .*"today".*ISO 8601 date/);
    expect(body.hint).toBe('Example of a valid value: start_date_gte="2026-01-31".');
  });

  it('a missing required argument says it is required, with an example', async () => {
    const body = await fails('get_dag_run', { dag_id: 'example_failing' });
    expect(body.message).toMatch(
      /^Missing required argument run_id: expected a DAG run id as list_dag_runs shows it/,
    );
    expect(body.hint).toMatch(/run_id="manual__/);
  });

  it('a wrong enum item names the allowed values and gives a valid list', async () => {
    const body = await fails('list_dag_runs', { state: ['broken'] });
    expect(body.message).toMatch(
      /^Invalid argument state: .*expected a list of queued, running, success, failed/,
    );
    expect(body.hint).toBe('Example of a valid value: state=["queued"].');
  });

  it('a wrong type names the field', async () => {
    const body = await fails('list_dags', { limit: 'lots' });
    expect(body.message).toMatch(
      /^Invalid argument limit: expected number, received string; expected a number/,
    );
    expect(body.hint).toBe('Example of a valid value: limit=25.');
  });

  it('one string where a list is expected is a one-item list', async () => {
    const r = await client.callTool('list_dag_runs', { state: 'failed', limit: 100 });
    expect(r.isError).toBeFalsy();
    const items = payload(r).items as { state: string }[];
    expect(items.length).toBeGreaterThan(0);
    expect(new Set(items.map((i) => i.state))).toEqual(new Set(['failed']));
  });

  it('a date without a time is accepted (midnight UTC)', async () => {
    const all = payload(await client.callTool('list_dag_runs', { limit: 1 }));
    const r = await client.callTool('list_dag_runs', { start_date_gte: '2000-01-01', limit: 1 });
    expect(r.isError).toBeFalsy();
    expect(payload(r).total_entries).toBeGreaterThan(0);
    expect(payload(r).total_entries).toBeLessThanOrEqual(all.total_entries as number);
    const future = await client.callTool('list_dag_runs', { start_date_gte: '2999-12-31' });
    expect(future.isError).toBeFalsy();
    expect(payload(future).items).toEqual([]);
  });

  it('an unknown tool stays a protocol error', async () => {
    await expect(client.callTool('no_such_tool', {})).rejects.toThrow(/no_such_tool/);
  });
});
