// Write tools against real Airflow 3 through the MCP service: pause/unpause, trigger, set run state, delete
// run, clear (dry run and real) runs and task instances, set task-instance state (mapped too), variables.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COVERAGE } from './helpers/tools-coverage.js';
import {
  expectNoPassword,
  type Harness,
  startHarness,
  triggerRun,
  waitForRunEnd,
} from './helpers/tools-harness.js';

// Paused and triggered by hand here: no other e2e file waits on it (the producer is only run by tools-read).
const PAUSABLE = 'e2e_asset_consumer';

let h: Harness;
let failingRun: string;
let mappedRun: string;

type Item = Record<string, unknown>;

beforeAll(async () => {
  h = await startHarness();
  failingRun = await triggerRun(h, 'e2e_failing');
  mappedRun = await triggerRun(h, 'e2e_mapped');
  expect(await waitForRunEnd(h, 'e2e_failing', failingRun)).toBe('failed');
  expect(await waitForRunEnd(h, 'e2e_mapped', mappedRun)).toBe('success');
});
afterAll(async () => {
  // Whatever happened, leave the DAG unpaused for the next run of the suite.
  await h?.api('PATCH', `/dags/${PAUSABLE}?update_mask=is_paused`, { is_paused: false });
  await h?.close();
});

describe('DAG and run writes against real Airflow 3', () => {
  it('pause_dag, trigger_dag on a paused DAG (warning), set_dag_run_state, delete_dag_run, unpause_dag', async () => {
    const paused = await h.call('pause_dag', { dag_id: PAUSABLE });
    expect(paused).toMatchObject({ dag_id: PAUSABLE, paused: true });
    const listed = await h.call('list_dags', { dag_id_pattern: PAUSABLE, paused: true });
    expect((listed.items as Item[]).map((d) => d.dag_id)).toEqual([PAUSABLE]);

    const runId = `e2e_write_${Date.now()}`;
    const run = await h.call('trigger_dag', {
      dag_id: PAUSABLE,
      run_id: runId,
      conf: { k: 1 },
      note: 'held',
    });
    expect(run).toMatchObject({
      dag_id: PAUSABLE,
      run_id: runId,
      state: 'queued',
      run_type: 'manual',
      note: 'held',
    });
    expect(String(run.warning)).toContain('paused');
    const dup = await h.call('trigger_dag', { dag_id: PAUSABLE, run_id: runId }, { allowError: true });
    // Airflow 3's 409 detail is a database error object: the service says what clashed instead.
    expect(dup).toMatchObject({
      code: 'conflict',
      status: 409,
      message: `DAG '${PAUSABLE}' already has a run with run_id '${runId}'.`,
    });

    // A run for a past logical date (unique per suite run): echoed back, a second one conflicts, and a
    // clear by logical-date range finds its task instance.
    const logical = new Date(Date.UTC(2025, 0, 1) + (Date.now() % 1e10)).toISOString();
    const dated = await h.call('trigger_dag', { dag_id: PAUSABLE, logical_date: logical });
    expect(Date.parse(String(dated.logical_date))).toBe(Date.parse(logical));
    const clash = await h.call(
      'trigger_dag',
      { dag_id: PAUSABLE, logical_date: logical },
      { allowError: true },
    );
    expect(clash).toMatchObject({ code: 'conflict', message: expect.stringContaining('logical_date') });
    const ranged = await h.call('clear_task_instances', {
      dag_id: PAUSABLE,
      start_date: new Date(Date.parse(logical) - 1000).toISOString(),
      end_date: new Date(Date.parse(logical) + 1000).toISOString(),
      only_failed: false,
    });
    expect(ranged).toMatchObject({
      dry_run: true,
      would_clear: [{ run_id: dated.run_id, task_id: 'consume' }],
    });
    await h.call('delete_dag_run', { dag_id: PAUSABLE, run_id: String(dated.run_id) });

    const failed = await h.call('set_dag_run_state', { dag_id: PAUSABLE, run_id: runId, state: 'failed' });
    expect(failed).toMatchObject({ run_id: runId, state: 'failed' });
    expect(failed.end_date).toBeTruthy();
    const success = await h.call('set_dag_run_state', { dag_id: PAUSABLE, run_id: runId, state: 'success' });
    expect(success).toMatchObject({ run_id: runId, state: 'success' });
    const queued = await h.call('set_dag_run_state', { dag_id: PAUSABLE, run_id: runId, state: 'queued' });
    expect(queued).toMatchObject({ run_id: runId, state: 'queued' });

    expect(await h.call('delete_dag_run', { dag_id: PAUSABLE, run_id: runId })).toEqual({
      dag_id: PAUSABLE,
      run_id: runId,
      deleted: true,
    });
    const gone = await h.call('get_dag_run', { dag_id: PAUSABLE, run_id: runId }, { allowError: true });
    expect(gone).toMatchObject({ code: 'not_found', status: 404 });
    const again = await h.call('delete_dag_run', { dag_id: PAUSABLE, run_id: runId }, { allowError: true });
    expect(again).toMatchObject({ code: 'not_found', status: 404 });

    const unpaused = await h.call('unpause_dag', { dag_id: PAUSABLE });
    expect(unpaused).toMatchObject({ dag_id: PAUSABLE, paused: false });
  });

  it('trigger_dag with unpause_if_paused unpauses first and the run goes through', async () => {
    await h.call('pause_dag', { dag_id: PAUSABLE });
    const run = await h.call('trigger_dag', { dag_id: PAUSABLE, unpause_if_paused: true });
    expect(run).toMatchObject({ dag_id: PAUSABLE, unpaused: true });
    expect(run.warning).toBeUndefined();
    expect((await h.call('get_dag_details', { dag_id: PAUSABLE })).paused).toBe(false);
    expect(await waitForRunEnd(h, PAUSABLE, String(run.run_id))).toBe('success');
  });
});

describe('clears against real Airflow 3 (dry run and real)', () => {
  it('clear_task_instances and clear_dag_run dry runs list the failed task and change nothing', async () => {
    const ti = await h.call('clear_task_instances', { dag_id: 'e2e_failing', run_id: failingRun });
    expect(ti).toMatchObject({
      dag_id: 'e2e_failing',
      dry_run: true,
      would_clear_count: 1,
      would_clear: [{ run_id: failingRun, task_id: 'boom', state: 'failed' }],
    });
    expect(String(ti.hint)).toContain('dry_run=false');
    const run = await h.call('clear_dag_run', { dag_id: 'e2e_failing', run_id: failingRun });
    expect(run).toMatchObject({ dry_run: true, would_clear: [{ task_id: 'boom', state: 'failed' }] });
    const unchanged = await h.call('get_dag_run', { dag_id: 'e2e_failing', run_id: failingRun });
    expect(unchanged.state).toBe('failed');
    const tiAfter = await h.call('get_task_instance', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
    });
    expect(tiAfter).toMatchObject({ state: 'failed', try_number: 1 });
  });

  it('clear_dag_run for real re-runs the run (try 2)', async () => {
    const cleared = await h.call('clear_dag_run', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      dry_run: false,
      only_failed: true,
    });
    expect(cleared).toMatchObject({ dry_run: false, cleared: [{ task_id: 'boom' }] });
    expect(['queued', 'running', 'failed']).toContain((cleared.run as Item).state);
    expect(await waitForRunEnd(h, 'e2e_failing', failingRun)).toBe('failed');
    const ti = await h.call('get_task_instance', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
    });
    expect(ti).toMatchObject({ state: 'failed', try_number: 2 });
  });

  it('clear_task_instances for real re-runs the failed task (try 3); get_task_logs reads the latest try', async () => {
    const cleared = await h.call('clear_task_instances', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_ids: ['boom'],
      dry_run: false,
      reset_dag_runs: true,
    });
    expect(cleared).toMatchObject({ dry_run: false, cleared_count: 1, cleared: [{ task_id: 'boom' }] });
    expect(await waitForRunEnd(h, 'e2e_failing', failingRun)).toBe('failed');
    const ti = await h.call('get_task_instance', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
    });
    expect(ti).toMatchObject({ state: 'failed', try_number: 3 });
    const log = await h.call('get_task_logs', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
      level: 'error',
    });
    expect(log.try_number).toBe(3);
    expect((log.lines as string[]).join('\n')).toContain('E2E_KNOWN_ERROR simulated failure');
    const first = await h.call('get_task_logs', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
      try_number: 1,
      pattern: 'E2E_KNOWN_ERROR',
    });
    expect(Number(first.matched_lines)).toBeGreaterThan(0);
  });

  it('clear_task_instances dry run over a mapped task lists every map_index', async () => {
    const dry = await h.call('clear_task_instances', {
      dag_id: 'e2e_mapped',
      run_id: mappedRun,
      task_ids: ['double'],
      only_failed: false,
    });
    expect(dry.would_clear_count).toBe(3);
    expect((dry.would_clear as Item[]).map((t) => t.map_index).sort()).toEqual([0, 1, 2]);
    const downstream = await h.call('clear_task_instances', {
      dag_id: 'e2e_mapped',
      run_id: mappedRun,
      task_ids: ['double'],
      only_failed: false,
      include_downstream: true,
    });
    expect((downstream.would_clear as Item[]).map((t) => t.task_id)).toContain('total');
  });
});

describe('task-instance state against real Airflow 3', () => {
  it('set_task_instance_state on a plain task', async () => {
    const r = await h.call('set_task_instance_state', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
      state: 'success',
    });
    expect(r).toMatchObject({
      dag_id: 'e2e_failing',
      run_id: failingRun,
      state: 'success',
      updated: [{ task_id: 'boom', state: 'success' }],
    });
    const ti = await h.call('get_task_instance', {
      dag_id: 'e2e_failing',
      run_id: failingRun,
      task_id: 'boom',
    });
    expect(ti.state).toBe('success');
  });

  it('set_task_instance_state on one mapped instance, then on all of them', async () => {
    const one = await h.call('set_task_instance_state', {
      dag_id: 'e2e_mapped',
      run_id: mappedRun,
      task_id: 'double',
      map_index: 1,
      state: 'failed',
    });
    expect(one.updated).toEqual([{ run_id: mappedRun, task_id: 'double', map_index: 1, state: 'failed' }]);
    const tis = await h.call('list_task_instances', {
      dag_id: 'e2e_mapped',
      run_id: mappedRun,
      task_id: 'double',
    });
    const states = Object.fromEntries((tis.items as Item[]).map((t) => [t.map_index, t.state]));
    expect(states).toEqual({ 0: 'success', 1: 'failed', 2: 'success' });

    const all = await h.call('set_task_instance_state', {
      dag_id: 'e2e_mapped',
      run_id: mappedRun,
      task_id: 'double',
      state: 'skipped',
    });
    const updated = all.updated as Item[];
    expect(updated.map((t) => t.map_index).sort()).toEqual([0, 1, 2]);
    expect(updated.every((t) => t.state === 'skipped')).toBe(true);
  });
});

describe('variables against real Airflow 3', () => {
  it('set_variable creates then updates, get/list show it, delete removes it', async () => {
    const key = `e2e_var_${Date.now()}`;
    const created = await h.call('set_variable', { key, value: '{"a": 1}', description: 'e2e' });
    expect(created).toMatchObject({ key, value: '{"a": 1}', description: 'e2e', created: true });
    const updated = await h.call('set_variable', { key, value: 'two' });
    // An update without a description keeps the existing one (the service once sent null, which clears it).
    expect(updated).toMatchObject({ key, value: 'two', description: 'e2e', created: false });
    expect(await h.call('get_variable', { key })).toMatchObject({ key, value: 'two', description: 'e2e' });
    const redescribed = await h.call('set_variable', { key, value: 'two', description: 'changed' });
    expect(redescribed).toMatchObject({ description: 'changed', created: false });
    const listed = await h.call('list_variables', { key_pattern: 'e2e_var_%', limit: 100 });
    expect((listed.items as Item[]).find((v) => v.key === key)).toMatchObject({ value: 'two' });

    expect(await h.call('delete_variable', { key })).toEqual({ key, deleted: true });
    const gone = await h.call('get_variable', { key }, { allowError: true });
    expect(gone).toMatchObject({ code: 'not_found', status: 404 });
    expect(String(gone.hint)).toContain('list_variables');
    const again = await h.call('delete_variable', { key }, { allowError: true });
    expect(again).toMatchObject({ code: 'not_found', status: 404 });
  });

  it('a variable with a sensitive name is redacted in every read', async () => {
    const key = `e2e_api_token_${Date.now()}`;
    const secret = 'E2E-VARIABLE-SECRET-VALUE';
    try {
      const set = await h.call('set_variable', { key, value: secret });
      expect(set).toMatchObject({ key, value: '***', redacted: true, created: true });
      expect(await h.call('get_variable', { key })).toMatchObject({ value: '***', redacted: true });
      const listed = await h.call('list_variables', { key_pattern: 'e2e_api_token_%', limit: 100 });
      expect(JSON.stringify(listed)).not.toContain(secret);
    } finally {
      await h.call('delete_variable', { key });
    }
    expect(h.texts.join('\n')).not.toContain(secret);
  });
});

describe('coverage and secrets', () => {
  it('this file called every tool it covers, and no result held the connection password', () => {
    expect([...h.called].sort()).toEqual(expect.arrayContaining([...COVERAGE.write].sort()));
    expectNoPassword(h);
  });
});
