// Pure pieces of the simulator: lazy timeline, layering, log tokens, LIKE patterns, route matching.
import { describe, expect, it } from 'vitest';
import { likeMatcher } from '../../../sim/http-util.js';
import { LogTokens } from '../../../sim/logs.js';
import type { TaskDef } from '../../../sim/model.js';
import { Router } from '../../../sim/router.js';
import { Store } from '../../../sim/store.js';
import { layersOf, runState, taskInstances } from '../../../sim/timeline.js';

const t = (taskId: string, downstream: string[] = []): TaskDef => ({
  taskId,
  operator: 'EmptyOperator',
  downstream,
});

describe('layersOf', () => {
  it('puts each task at its longest distance from a root', () => {
    expect(layersOf([t('a', ['b', 'c']), t('b', ['d']), t('c', ['d']), t('d')])).toEqual([
      ['a'],
      ['b', 'c'],
      ['d'],
    ]);
    expect(layersOf([t('x'), t('y')])).toEqual([['x', 'y']]);
  });
});

describe('lazy run timeline', () => {
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  it('never starts a paused DAG run, then starts it no earlier than the unpause', () => {
    const store = new Store(t0, 1000);
    const dag = store.dags.get('ml_training_pipeline')!;
    const run = store.trigger(dag, { runId: 'r', logicalDate: null, conf: {}, note: null, user: null }, t0);
    if (run === 'conflict') throw new Error('unexpected conflict');
    expect(runState(dag, run, t0 + 60_000)).toBe('queued');
    store.setPaused(dag, false, null, t0 + 60_000);
    // Its queue delay has long passed, so it starts at the unpause itself.
    expect(runState(dag, run, t0 + 60_050)).toBe('running');
    expect(taskInstances(dag, run, t0 + 60_050)[0]!.start).toBe(t0 + 60_000);
    expect(runState(dag, run, t0 + 61_000)).toBe('success');
    expect(taskInstances(dag, run, t0 + 61_000).every((ti) => ti.state === 'success')).toBe(true);
  });

  it('seeds past runs in mixed states, a running run and a queued run', () => {
    const store = new Store(t0, 1000);
    const states = new Set(store.runs('~').map((r) => runState(store.dags.get(r.dagId)!, r, t0)));
    expect(states).toEqual(new Set(['success', 'failed', 'running', 'queued']));
  });
});

describe('LogTokens', () => {
  const tokens = new LogTokens('secret');
  it('round-trips positions and rejects tampering or another key', () => {
    expect(tokens.verify(tokens.sign(100))).toBe(100);
    const tok = tokens.sign(100);
    expect(tokens.verify(`${tok}x`)).toBeNull();
    expect(tokens.verify(new LogTokens('other').sign(100))).toBeNull();
    expect(tokens.verify('nonsense')).toBeNull();
  });
});

describe('likeMatcher', () => {
  it.each([
    ['etl%', 'etl_daily_sales', true],
    ['%sales', 'etl_daily_sales', true],
    ['ETL%', 'etl_daily_sales', true],
    ['e_l%', 'etl', true],
    ['sales', 'etl_daily_sales', false],
    ['a.b', 'axb', false],
  ])('%s ~ %s → %s', (pattern, value, expected) => {
    expect(likeMatcher(pattern)(value)).toBe(expected);
  });
});

describe('Router', () => {
  const router = new Router();
  const h = () => ({ status: 200 });
  router.add({ method: 'GET', template: '/api/v2/assets/{asset_id}', role: 'viewer', handler: h });
  router.add({ method: 'GET', template: '/api/v2/assets/events', role: 'viewer', handler: h });
  it('prefers literal segments, decodes parameters, reports 405 and 404', () => {
    const m = router.match('GET', '/api/v2/assets/events');
    expect(m !== null && m !== 'method' && m.route.template).toBe('/api/v2/assets/events');
    const p = router.match('GET', '/api/v2/assets/a%2Fb');
    expect(p !== null && p !== 'method' && p.params).toEqual({ asset_id: 'a/b' });
    expect(router.match('POST', '/api/v2/assets/1')).toBe('method');
    expect(router.match('GET', '/api/v2/nothing')).toBeNull();
  });
});
