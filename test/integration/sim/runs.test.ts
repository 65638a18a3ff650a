// Run lifecycle: trigger validation, lazy progress to success/failed, paused DAGs, clear, patch, delete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Simulator, startSimulator } from '../../../sim/index.js';
import { http, waitFor } from './http.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startSimulator({ runDurationMs: 300 });
});
afterAll(() => sim.close());

const v2 = (p: string) => `${sim.url}/api/v2${p}`;
const v1 = (p: string) => `${sim.url}/api/v1${p}`;
const getRun = (dag: string, run: string) =>
  http('GET', v2(`/dags/${dag}/dagRuns/${encodeURIComponent(run)}`));
const tis = async (dag: string, run: string) =>
  (await http('GET', v2(`/dags/${dag}/dagRuns/${encodeURIComponent(run)}/taskInstances`))).json
    .task_instances as {
    task_id: string;
    state: string | null;
    map_index: number;
  }[];

describe('trigger', () => {
  it('creates a queued run that progresses to success', async () => {
    const res = await http('POST', v2('/dags/etl_daily_sales/dagRuns'), {
      body: { logical_date: null, conf: { a: 1 }, note: 'hi' },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      dag_id: 'etl_daily_sales',
      state: 'queued',
      run_type: 'manual',
      logical_date: null,
      conf: { a: 1 },
      note: 'hi',
    });
    const id = res.json.dag_run_id;
    expect(id).toMatch(/^manual__/);
    const seen = new Set<string>();
    const done = await waitFor(
      () => getRun('etl_daily_sales', id),
      (r) => {
        seen.add(r.json.state);
        return r.json.state === 'success';
      },
    );
    expect(done.json.state).toBe('success');
    expect(seen.has('running') || seen.size >= 1).toBe(true);
    expect(done.json.end_date).not.toBeNull();
    expect((await tis('etl_daily_sales', id)).every((t) => t.state === 'success')).toBe(true);
  });

  it('fails example_failing in transform and marks downstream upstream_failed', async () => {
    const res = await http('POST', v2('/dags/example_failing/dagRuns'), {
      body: { logical_date: null, dag_run_id: 'fail-1' },
    });
    expect(res.json.dag_run_id).toBe('fail-1');
    const done = await waitFor(
      () => getRun('example_failing', 'fail-1'),
      (r) => r.json.state === 'failed',
    );
    expect(done.json.state).toBe('failed');
    const states = Object.fromEntries(
      (await tis('example_failing', 'fail-1')).map((t) => [t.task_id, t.state]),
    );
    expect(states).toEqual({
      extract: 'success',
      transform: 'failed',
      load: 'upstream_failed',
      notify: 'upstream_failed',
    });
  });

  it.each([
    ['unknown field', { logical_date: null, bogus: 1 }, 'extra_forbidden', ['body', 'bogus']],
    ['missing logical_date', { conf: {} }, 'missing', ['body', 'logical_date']],
    [
      'bad logical_date',
      { logical_date: 'yesterday' },
      'datetime_from_date_parsing',
      ['body', 'logical_date'],
    ],
  ])('answers 422 for %s', async (_n, body, type, loc) => {
    const res = await http('POST', v2('/dags/etl_daily_sales/dagRuns'), { body });
    expect(res.status).toBe(422);
    expect(res.json.detail[0]).toMatchObject({ type, loc });
  });

  it('answers 409 for a duplicate run id and 404 for an unknown DAG', async () => {
    const body = { logical_date: null, dag_run_id: 'dup-1' };
    expect((await http('POST', v2('/dags/hourly_event_ingest/dagRuns'), { body })).status).toBe(200);
    expect((await http('POST', v2('/dags/hourly_event_ingest/dagRuns'), { body })).status).toBe(409);
    const missing = await http('POST', v2('/dags/no_such_dag/dagRuns'), { body });
    expect(missing.status).toBe(404);
    expect(missing.json.detail).toContain('no_such_dag');
  });

  it('keeps a run of a paused DAG queued until the DAG is unpaused', async () => {
    const res = await http('POST', v2('/dags/ml_training_pipeline/dagRuns'), {
      body: { logical_date: null, dag_run_id: 'paused-1' },
    });
    await new Promise((r) => setTimeout(r, 500));
    expect((await getRun('ml_training_pipeline', 'paused-1')).json.state).toBe('queued');
    const patch = await http('PATCH', v2('/dags/ml_training_pipeline?update_mask=is_paused'), {
      body: { is_paused: false },
    });
    expect(patch.json.is_paused).toBe(false);
    const done = await waitFor(
      () => getRun('ml_training_pipeline', res.json.dag_run_id),
      (r) => r.json.state === 'success',
    );
    expect(done.json.state).toBe('success');
  });
});

describe('changing runs', () => {
  it('clears with dry_run by default, then really re-runs the failed task with a new try', async () => {
    await http('POST', v2('/dags/example_failing/dagRuns'), {
      body: { logical_date: null, dag_run_id: 'clear-1' },
    });
    await waitFor(
      () => getRun('example_failing', 'clear-1'),
      (r) => r.json.state === 'failed',
    );
    const dry = await http('POST', v2('/dags/example_failing/dagRuns/clear-1/clear'), {
      body: { only_failed: true },
    });
    expect(dry.json.task_instances.map((t: { task_id: string }) => t.task_id).sort()).toEqual([
      'load',
      'notify',
      'transform',
    ]);
    expect((await getRun('example_failing', 'clear-1')).json.state).toBe('failed');

    const real = await http('POST', v2('/dags/example_failing/dagRuns/clear-1/clear'), {
      body: { dry_run: false, only_failed: true },
    });
    expect(real.json.state).toBe('queued');
    const after = await waitFor(
      () => getRun('example_failing', 'clear-1'),
      (r) => r.json.state === 'failed',
    );
    expect(after.json.state).toBe('failed');
    const ti = await http('GET', v2('/dags/example_failing/dagRuns/clear-1/taskInstances/transform'));
    expect(ti.json.try_number).toBe(2);
    const tries = await http(
      'GET',
      v2('/dags/example_failing/dagRuns/clear-1/taskInstances/transform/tries'),
    );
    expect(
      tries.json.task_instances.map((t: { try_number: number; state: string }) => [t.try_number, t.state]),
    ).toEqual([
      [1, 'failed'],
      [2, 'failed'],
    ]);
    const extract = await http('GET', v2('/dags/example_failing/dagRuns/clear-1/taskInstances/extract'));
    expect(extract.json).toMatchObject({ state: 'success', try_number: 1 });
  });

  it('clearTaskInstances defaults to dry_run and only_failed', async () => {
    const res = await http('POST', v2('/dags/example_failing/clearTaskInstances'), {
      body: { dag_run_id: 'fail-1' },
    });
    expect(res.status).toBe(200);
    expect(
      res.json.task_instances.every((t: { state: string }) =>
        ['failed', 'upstream_failed'].includes(t.state),
      ),
    ).toBe(true);
    expect((await getRun('example_failing', 'fail-1')).json.state).toBe('failed');
  });

  it('marks a run success or failed, sets a task state, deletes a run', async () => {
    await http('POST', v2('/dags/example_failing/dagRuns'), {
      body: { logical_date: null, dag_run_id: 'mark-1' },
    });
    const marked = await http('PATCH', v2('/dags/example_failing/dagRuns/mark-1'), {
      body: { state: 'success' },
    });
    expect(marked.json.state).toBe('success');
    expect((await tis('example_failing', 'mark-1')).every((t) => t.state === 'success')).toBe(true);
    const bad = await http('PATCH', v2('/dags/example_failing/dagRuns/mark-1'), {
      body: { state: 'running' },
    });
    expect(bad.status).toBe(422);
    const ti = await http('PATCH', v2('/dags/example_failing/dagRuns/mark-1/taskInstances/load'), {
      body: { new_state: 'failed' },
    });
    expect(ti.json.task_instances[0]).toMatchObject({ task_id: 'load', state: 'failed' });
    expect((await http('DELETE', v2('/dags/example_failing/dagRuns/mark-1'))).status).toBe(204);
    expect((await getRun('example_failing', 'mark-1')).status).toBe(404);
  });
});

describe('Airflow 2 shapes', () => {
  it('triggers with execution_date and answers RFC 7807 errors', async () => {
    const res = await http('POST', v1('/dags/etl_daily_sales/dagRuns'), {
      body: { dag_run_id: 'v1-run', conf: {} },
    });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ dag_run_id: 'v1-run', external_trigger: true });
    expect(res.json.execution_date).toBe(res.json.logical_date);
    const dup = await http('POST', v1('/dags/etl_daily_sales/dagRuns'), { body: { dag_run_id: 'v1-run' } });
    expect(dup.status).toBe(409);
    const missing = await http('GET', v1('/dags/nope'));
    expect(missing.status).toBe(404);
    expect(missing.headers['content-type']).toContain('application/problem+json');
    expect(missing.json).toMatchObject({
      status: 404,
      title: 'DAG not found',
      detail: "DAG with dag_id: 'nope' not found",
    });
  });
});
