// Lazy scheduler: run and task-instance states are computed from the clock, so no timers are needed.
import type { DagState, RunRec, RunState, TaskDef, TiView } from './model.js';

/** Share of a triggered run's duration spent queued before it starts running. */
export const QUEUE_SHARE = 0.1;

interface Plan {
  start: number;
  layerLen: number;
  failLayer: number | null;
  /** A task frozen as failed (e.g. left alone by a partial clear) fails the run again when it ends. */
  frozenFailure: boolean;
  end: number;
}

/** Starts a queued run once its DAG is unpaused and its queue delay has passed (mutates run.startAt once). */
export function materialize(dag: DagState, run: RunRec, now: number): void {
  if (run.startAt !== null || run.stateOverride !== null || dag.paused) return;
  const earliest = Math.max(run.queuedAt + queueDelay(run), dag.unpausedAt);
  if (now >= earliest) run.startAt = earliest;
}

function queueDelay(run: RunRec): number {
  return Math.round((run.durationMs / (1 - QUEUE_SHARE)) * QUEUE_SHARE);
}

function plan(dag: DagState, run: RunRec): Plan | null {
  if (run.startAt === null) return null;
  const layers = dag.layers.length;
  const layerLen = run.durationMs / layers;
  const failing = run.failTask !== null && !hasOverride(run, run.failTask) ? run.failTask : null;
  const failLayer = failing === null ? null : (dag.layerOf.get(failing) ?? null);
  const end = run.startAt + (failLayer === null ? layers : failLayer + 1) * layerLen;
  let frozenFailure = false;
  for (const ov of run.tiOverrides.values())
    if (ov.state === 'failed' || ov.state === 'upstream_failed') frozenFailure = true;
  return { start: run.startAt, layerLen, failLayer, frozenFailure, end };
}

function hasOverride(run: RunRec, taskId: string): boolean {
  for (const key of run.tiOverrides.keys()) if (key.startsWith(`${taskId}:`)) return true;
  return false;
}

export function runState(dag: DagState, run: RunRec, now: number): RunState {
  materialize(dag, run, now);
  if (run.stateOverride) return run.stateOverride.state;
  const p = plan(dag, run);
  if (!p || now < p.start) return 'queued';
  if (now < p.end) return 'running';
  return p.failLayer === null && !p.frozenFailure ? 'success' : 'failed';
}

export function runTimes(
  dag: DagState,
  run: RunRec,
  now: number,
): { start: number | null; end: number | null } {
  const state = runState(dag, run, now);
  if (run.stateOverride) return { start: run.startAt, end: run.stateOverride.at };
  const p = plan(dag, run);
  if (!p || state === 'queued') return { start: null, end: null };
  return { start: p.start, end: state === 'running' ? null : p.end };
}

export function taskInstances(dag: DagState, run: RunRec, now: number): TiView[] {
  materialize(dag, run, now);
  const out: TiView[] = [];
  for (const task of dag.def.tasks) {
    const count = task.mapped ?? 0;
    if (count === 0) out.push(taskInstance(dag, run, task, -1, now));
    for (let m = 0; m < count; m++) out.push(taskInstance(dag, run, task, m, now));
  }
  return out;
}

export function taskInstance(
  dag: DagState,
  run: RunRec,
  task: TaskDef,
  mapIndex: number,
  now: number,
): TiView {
  const tryNumber = run.tries.get(task.taskId) ?? 1;
  const base = { taskId: task.taskId, mapIndex, tryNumber, task };
  const ov = run.tiOverrides.get(`${task.taskId}:${mapIndex}`);
  if (ov) return { ...base, state: ov.state, start: ov.start, end: ov.end };
  const p = plan(dag, run);
  const layer = dag.layerOf.get(task.taskId) ?? 0;
  if (!p || now < p.start) return { ...base, state: null, start: null, end: null };
  if (p.failLayer !== null && layer > p.failLayer) {
    return now >= p.end ? { ...base, state: 'upstream_failed', start: null, end: p.end } : pending(base);
  }
  // A run whose state was forced (mark success/failed) leaves unfinished work as the override froze it.
  const ls = p.start + layer * p.layerLen;
  const le = ls + p.layerLen;
  if (now < ls) return pending(base);
  if (now < le) return { ...base, state: 'running', start: ls, end: null };
  const failed = p.failLayer === layer && task.taskId === run.failTask;
  return { ...base, state: failed ? 'failed' : 'success', start: ls, end: le };
}

function pending(base: Omit<TiView, 'state' | 'start' | 'end'>): TiView {
  return { ...base, state: null, start: null, end: null };
}

/** Freezes the current task states into overrides (used before forcing or restarting a run). */
export function freeze(dag: DagState, run: RunRec, now: number, except?: (ti: TiView) => boolean): void {
  for (const ti of taskInstances(dag, run, now)) {
    if (except?.(ti)) continue;
    run.tiOverrides.set(`${ti.taskId}:${ti.mapIndex}`, { state: ti.state, start: ti.start, end: ti.end });
  }
}

/** Computes topological layers (longest path from a root) for the DAG's tasks. */
export function layersOf(tasks: TaskDef[]): string[][] {
  const depth = new Map<string, number>();
  const upstream = new Map<string, string[]>();
  for (const t of tasks)
    for (const d of t.downstream) upstream.set(d, [...(upstream.get(d) ?? []), t.taskId]);
  const visit = (id: string): number => {
    const known = depth.get(id);
    if (known !== undefined) return known;
    const ups = upstream.get(id) ?? [];
    const d = ups.length === 0 ? 0 : Math.max(...ups.map(visit)) + 1;
    depth.set(id, d);
    return d;
  };
  const layers: string[][] = [];
  for (const t of tasks) {
    const d = visit(t.taskId);
    const layer = layers[d] ?? [];
    layer.push(t.taskId);
    layers[d] = layer;
  }
  return layers;
}
