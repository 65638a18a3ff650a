// Store mutations against the lazy timeline: clears, forced run states, task-state overrides.
import { describe, expect, it } from 'vitest';
import type { DagState, RunRec } from '../../../sim/model.js';
import { Store } from '../../../sim/store.js';
import { runState, taskInstances } from '../../../sim/timeline.js';

const t0 = Date.parse('2026-03-01T00:00:00Z');

function setup(dagId: string): { store: Store; dag: DagState; run: RunRec } {
  const store = new Store(t0, 1000);
  const dag = store.dags.get(dagId)!;
  const run = store.trigger(
    dag,
    { runId: 'r1', logicalDate: null, conf: {}, note: null, user: 'tester' },
    t0,
  );
  if (run === 'conflict') throw new Error('conflict');
  return { store, dag, run };
}

const states = (dag: DagState, run: RunRec, at: number) =>
  Object.fromEntries(taskInstances(dag, run, at).map((ti) => [ti.taskId, ti.state]));

describe('clear', () => {
  it('leaves the run failed when only an upstream success is cleared', () => {
    const { store, dag, run } = setup('example_failing');
    expect(runState(dag, run, t0 + 2000)).toBe('failed');
    const extract = taskInstances(dag, run, t0 + 2000).filter((ti) => ti.taskId === 'extract');
    store.clear(dag, run, extract, null, t0 + 2000);
    expect(runState(dag, run, t0 + 5000)).toBe('failed');
    expect(states(dag, run, t0 + 5000)).toMatchObject({ extract: 'success', transform: 'failed' });
  });

  it('lets a one-off failure succeed on retry, and remembers the failed try', () => {
    const { store, dag, run } = setup('etl_daily_sales');
    run.failTask = 'transform';
    expect(runState(dag, run, t0 + 2000)).toBe('failed');
    const failed = taskInstances(dag, run, t0 + 2000).filter(
      (ti) => ti.state === 'failed' || ti.state === 'upstream_failed',
    );
    store.clear(dag, run, failed, null, t0 + 2000);
    expect(runState(dag, run, t0 + 5000)).toBe('success');
    expect(run.tries.get('transform')).toBe(2);
    expect(run.failedBefore.has('transform')).toBe(true);
  });
});

describe('forced states', () => {
  it('marks a running run failed: running work fails, pending work is skipped', () => {
    const { store, dag, run } = setup('etl_daily_sales');
    const mid = t0 + 100 + 450; // second of three 300 ms tasks is running
    expect(states(dag, run, mid)).toEqual({ extract: 'success', transform: 'running', load: null });
    store.setRunState(dag, run, 'failed', null, mid);
    expect(runState(dag, run, mid + 5000)).toBe('failed');
    expect(states(dag, run, mid + 5000)).toEqual({
      extract: 'success',
      transform: 'failed',
      load: 'skipped',
    });
  });

  it('sets one task state without freezing the others', () => {
    const { store, dag, run } = setup('etl_daily_sales');
    const ti = taskInstances(dag, run, t0 + 150).find((x) => x.taskId === 'extract')!;
    store.setTaskState(run, ti, 'success', null, t0 + 150);
    expect(states(dag, run, t0 + 2000)).toEqual({
      extract: 'success',
      transform: 'success',
      load: 'success',
    });
    expect(runState(dag, run, t0 + 2000)).toBe('success');
  });
});
