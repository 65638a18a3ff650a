// With an injected clock, run progress is exact: queued → running (task by task) → success.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { http } from './http.js';

let sim: Simulator;
let clock = Date.parse('2026-06-01T12:00:00Z');
beforeAll(async () => {
  sim = await startSimulator({ now: () => clock, runDurationMs: 1000 });
});
afterAll(() => sim.close());

it('walks a triggered run through its states as the clock advances', async () => {
  const url = `${sim.url}/api/v2/dags/etl_daily_sales/dagRuns`;
  const run = (
    await http('POST', url, { body: { logical_date: '2026-06-01T00:00:00Z', dag_run_id: 'clocked' } })
  ).json;
  expect(run).toMatchObject({
    state: 'queued',
    logical_date: '2026-06-01T00:00:00Z',
    start_date: null,
  });
  const at = async (ms: number) => {
    clock = Date.parse('2026-06-01T12:00:00Z') + ms;
    const r = (await http('GET', `${url}/clocked`)).json;
    const t = (await http('GET', `${url}/clocked/taskInstances`)).json.task_instances;
    return [r.state, ...t.map((x: { state: string | null }) => x.state)];
  };
  expect(await at(50)).toEqual(['queued', null, null, null]);
  // 100 ms queued, then three tasks of 300 ms each.
  expect(await at(150)).toEqual(['running', 'running', null, null]);
  expect(await at(450)).toEqual(['running', 'success', 'running', null]);
  expect(await at(1050)).toEqual(['success', 'success', 'success', 'success']);
});

it('expires tokens by the injected clock', async () => {
  const token = await sim.issueToken('admin', { expiresInSeconds: 60 });
  clock += 61_000;
  const strict = await startSimulator({ auth: 'enforced', now: () => clock });
  try {
    const res = await http('GET', `${strict.url}/api/v2/dags`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(res.json).toEqual({ detail: 'Token Expired' });
  } finally {
    await strict.close();
  }
});
